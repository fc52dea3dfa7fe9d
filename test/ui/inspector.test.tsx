// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../src-renderer/src/App.tsx';
import { coreApi } from './core-api.ts';

afterEach(cleanup);

async function ready() {
  const api = coreApi();
  render(<App api={api} />);
  await waitFor(() => expect(screen.getByLabelText('Width')).toHaveProperty('value', '270'));
  await waitFor(() => expect(screen.getByTestId('answer').textContent).toMatch(/^\w{5}$/));
  return api;
}
const lastDesign = (api: ReturnType<typeof coreApi>) => (api.renderPreview as any).mock.calls.at(-1)[0];

describe('inspector', () => {
  it('sends every edit to the preview and shows the rule a bad value breaks next to the field', async () => {
    const api = await ready();
    const width = screen.getByLabelText('Width');
    fireEvent.change(width, { target: { value: '300' } });
    await waitFor(() => expect(lastDesign(api).width).toBe(300));
    fireEvent.change(width, { target: { value: '99999' } });
    await waitFor(() => expect(screen.getByTestId('design-error').textContent).toBe('Width: must be at most 8192'));
    expect(width.getAttribute('aria-invalid')).toBe('true');
    const field = width.closest('.field') as HTMLElement;
    expect(within(field).getByRole('alert').textContent).toBe('must be at most 8192');
    fireEvent.change(width, { target: { value: '320' } });
    await waitFor(() => expect(screen.queryByTestId('design-error')).toBeNull());
  });

  it('undoes and redoes edits, with a dirty marker while the design differs from the saved one', async () => {
    await ready();
    expect(screen.queryByLabelText('unsaved changes')).toBeNull();
    fireEvent.change(screen.getByLabelText('Height'), { target: { value: '50' } });
    await waitFor(() => expect(screen.getByLabelText('unsaved changes')).toBeTruthy());
    fireEvent.click(screen.getByRole('button', { name: 'Undo' }));
    await waitFor(() => expect(screen.getByLabelText('Height')).toHaveProperty('value', '40'));
    expect(screen.queryByLabelText('unsaved changes')).toBeNull();
    fireEvent.keyDown(window, { key: 'z', ctrlKey: true, shiftKey: true });
    await waitFor(() => expect(screen.getByLabelText('Height')).toHaveProperty('value', '50'));
  });

  it('adds, reorders and removes background layers', async () => {
    const api = await ready();
    fireEvent.change(screen.getByLabelText('New layer'), { target: { value: 'grid' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add layer' }));
    await waitFor(() => expect(lastDesign(api).background.map((l: { type: string }) => l.type)).toEqual(['random-color', 'grid']));
    fireEvent.click(screen.getByRole('button', { name: 'Move layer 2 up' }));
    await waitFor(() => expect(lastDesign(api).background.map((l: { type: string }) => l.type)).toEqual(['grid', 'random-color']));
    fireEvent.click(screen.getByRole('button', { name: 'Remove layer 1' }));
    await waitFor(() => expect(lastDesign(api).background.map((l: { type: string }) => l.type)).toEqual(['random-color']));
  });

  it('switches text to math mode and edits the colour through the text input', async () => {
    const api = await ready();
    fireEvent.change(screen.getByLabelText('Mode'), { target: { value: 'math' } });
    await waitFor(() => expect(screen.getByTestId('answer').textContent).toMatch(/^-?\d+$/));
    fireEvent.change(screen.getByLabelText('Text colour'), { target: { value: 'palette' } });
    const colour = await screen.findByLabelText('Text colours 1');
    fireEvent.change(colour, { target: { value: 'not-a-colour' } });
    await waitFor(() => expect(screen.getByTestId('design-error').textContent).toMatch(/^Text › colour › colour 1: /));
    expect(lastDesign(api).text.mode).toBe('math');
  });

  it('asks before replacing unsaved changes, and Cancel keeps them', async () => {
    await ready();
    fireEvent.change(screen.getByLabelText('Width'), { target: { value: '280' } });
    await waitFor(() => expect(screen.getByLabelText('unsaved changes')).toBeTruthy());
    await act(async () => fireEvent.click(screen.getByRole('button', { name: /^math-captcha/ })));
    const dialog = await screen.findByRole('alertdialog');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(screen.getByLabelText('Width')).toHaveProperty('value', '280');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: /^math-captcha/ })));
    fireEvent.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: "Don't save" }));
    await waitFor(() => expect(screen.getByTestId('doc-name').textContent).toBe('math-captcha'));
  });
});
