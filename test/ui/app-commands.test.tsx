// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MenuCommand, StudioApi } from '../../src-main/api.ts';
import { App } from '../../src-renderer/src/App.tsx';
import { shortcutCommand } from '../../src-renderer/src/hooks/useShortcuts.ts';
import { coreApi } from './core-api.ts';

afterEach(cleanup);

/** The App on `api`, once its first preview is shown; `send` plays the native menu. */
async function ready(over: Partial<StudioApi> = {}) {
  let listener: ((c: MenuCommand) => void) | null = null;
  const api = coreApi({ onMenuCommand: (l) => ((listener = l), () => (listener = null)), ...over });
  render(<App api={api} />);
  await waitFor(() => expect(screen.getByTestId('answer').textContent).toMatch(/^\w{5}$/));
  const send = (c: MenuCommand) => act(async () => listener!(c));
  return { api, send };
}

describe('menu commands', () => {
  it('moves focus to the batch size on "Export batch…" and zooms from the menu', async () => {
    const { send } = await ready();
    expect(document.activeElement).not.toBe(screen.getByTestId('batch-count'));
    await send('export-batch');
    expect(document.activeElement).toBe(screen.getByTestId('batch-count'));
    await send('zoom-in');
    expect(screen.getByText('200%')).toBeTruthy();
    await send('zoom-actual');
    expect(screen.getByText('100%')).toBeTruthy();
  });

  it('opens a recent file picked from the menu', async () => {
    const openDesign = vi.fn(async () => null);
    const { send } = await ready({ openDesign });
    await send({ open: '/designs/recent.json' });
    expect(openDesign).toHaveBeenCalledWith({ path: '/designs/recent.json' });
  });
});

describe('keyboard shortcuts', () => {
  it('saves with Ctrl+S in the browser', async () => {
    const { api } = await ready();
    fireEvent.keyDown(window, { key: 's', ctrlKey: true });
    expect(api.saveDesign).toHaveBeenCalledTimes(1);
    await screen.findByText('Downloaded saved.json');
  });

  it('leaves keys to the native menu on the desktop', async () => {
    const { api } = await ready({ info: async () => ({ mode: 'desktop', version: 'test', problems: [] }) });
    await screen.findByRole('button', { name: 'Export image…' });
    fireEvent.keyDown(window, { key: 's', ctrlKey: true });
    expect(api.saveDesign).not.toHaveBeenCalled();
  });

  it('maps keys to commands, with Shift and ⌘ variants, and leaves Ctrl+N and Alt combinations alone', () => {
    const key = (k: string, mods: { ctrlKey?: boolean; metaKey?: boolean; shiftKey?: boolean; altKey?: boolean } = { ctrlKey: true }) =>
      shortcutCommand({ key: k, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });
    expect(key('z')).toBe('undo');
    expect(key('Z', { ctrlKey: true, shiftKey: true })).toBe('redo');
    expect(key('y')).toBe('redo');
    expect(key('s', { metaKey: true, shiftKey: true })).toBe('save-as');
    expect(key('E', { ctrlKey: true, shiftKey: true })).toBe('export-batch');
    expect(key('+')).toBe('zoom-in');
    expect(key('0')).toBe('zoom-actual');
    expect(key('n')).toBeUndefined();
    expect(key('s', {})).toBeUndefined();
    expect(key('s', { ctrlKey: true, altKey: true })).toBeUndefined();
  });
});
