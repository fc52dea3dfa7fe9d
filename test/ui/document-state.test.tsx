// @vitest-environment jsdom
/**
 * Web mode's document state: the tab asks before closing while the design has unsaved
 * changes, and the title follows, without either costing the page work between an edit
 * and its preview (one beforeunload listener for the page's life; title changes coalesced).
 */
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../src-renderer/src/App.tsx';
import { createWebApi, TITLE_DELAY_MS } from '../../src-renderer/src/web-api.ts';
import { coreApi } from './core-api.ts';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

/** Whether closing the tab now would ask first. */
function asksBeforeClosing(): boolean {
  const e = new Event('beforeunload', { cancelable: true });
  window.dispatchEvent(e);
  return e.defaultPrevented;
}

describe('web mode document state', () => {
  it('asks before closing only while there are unsaved changes, with one listener throughout', async () => {
    const add = vi.spyOn(window, 'addEventListener');
    render(<App api={coreApi()} />);
    await waitFor(() => expect(screen.getByLabelText('Height')).toHaveProperty('value', '40'));
    expect(asksBeforeClosing()).toBe(false);
    const listeners = () => add.mock.calls.filter(([type]) => type === 'beforeunload').length;
    const before = listeners();
    fireEvent.change(screen.getByLabelText('Height'), { target: { value: '50' } });
    await waitFor(() => expect(screen.getByLabelText('unsaved changes')).toBeTruthy());
    expect(asksBeforeClosing()).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Undo' }));
    await waitFor(() => expect(screen.getByLabelText('Height')).toHaveProperty('value', '40'));
    expect(screen.queryByLabelText('unsaved changes')).toBeNull();
    expect(asksBeforeClosing()).toBe(false);
    // Clean, dirty and clean again added no listener.
    expect(listeners()).toBe(before);
    add.mockRestore();
  });

  it('sets the title once for changes made in quick succession, to the newest state', async () => {
    vi.useFakeTimers();
    const api = createWebApi('http://127.0.0.1:1');
    document.title = 'start';
    await act(async () => {
      await api.setDocumentState({ title: 'a.json', dirty: true });
      await api.setDocumentState({ title: 'a.json', dirty: false });
      await api.setDocumentState({ title: 'b.json', dirty: true });
    });
    expect(document.title).toBe('start');
    vi.advanceTimersByTime(TITLE_DELAY_MS);
    expect(document.title).toBe('• b.json — Captcha Studio');
    await api.setDocumentState({ title: 'b.json', dirty: false });
    vi.advanceTimersByTime(TITLE_DELAY_MS);
    expect(document.title).toBe('b.json — Captcha Studio');
  });
});
