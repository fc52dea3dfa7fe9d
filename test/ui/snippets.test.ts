// @vitest-environment jsdom
/**
 * The server panel's snippets: built only from what the server published (the last valid
 * design), each Copy button named after what it copies, the fixed-seed warning, and the
 * notice when a restarted server had lost the published design.
 */
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { createElement } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DesignInput, PublishedDesign } from '../../src-main/api.ts';
import { parseDesign } from '../../src-main/core/design.ts';
import { getPreset } from '../../src-main/core/presets.ts';
import { DesignSource } from '../../src-main/server/design-source.ts';
import { ApiContext } from '../../src-renderer/src/components/design-context.ts';
import { ServerPanel } from '../../src-renderer/src/components/ServerPanel.tsx';
import { snippets } from '../../src-renderer/src/components/snippets.ts';
import { coreApi } from './core-api.ts';

afterEach(cleanup);

const ORIGIN = 'http://127.0.0.1:7878';
const source = () => {
  const s = new DesignSource();
  s.signer = (p) => `${p}&sig=${'s'.repeat(43)}`;
  return s;
};

describe('snippets()', () => {
  const background = source().publish({ ...getPreset('placeholder')!, name: 'hero "banner"' });
  const captcha = source().publish(getPreset('classic-captcha')!);

  it('gives every snippet a Copy name of its own', () => {
    for (const p of [background, captcha]) {
      const whats = snippets(ORIGIN, p).map((s) => s.what);
      expect(new Set(whats).size).toBe(whats.length);
    }
    expect(snippets(ORIGIN, background).map((s) => s.what)).toEqual(['URL', 'image tag', 'background script']);
    expect(snippets(ORIGIN, captcha).map((s) => s.what)).toEqual(['URL', 'image tag', 'form', 'backend check']);
  });

  it('takes the size from the published design and escapes what goes into attributes', () => {
    const img = snippets(ORIGIN, background).find((s) => s.id === 'img')!.text;
    expect(img).toBe(`<img src="${ORIGIN}${background.path}" width="640" height="360" alt="hero-banner-">`);
    const tag = snippets(ORIGIN, captcha).find((s) => s.id === 'img')!.text;
    expect(tag).toContain(`src="${ORIGIN}/captcha.png?design=classic-captcha&amp;sig=`);
  });

  it('the background script works in <head>: it waits for the body when there is none yet', () => {
    const script = snippets(ORIGIN, background).find((s) => s.id === 'background')!.text;
    expect(script).toMatch(/if \(document\.body\) paint\(\);\s+else document\.addEventListener\('DOMContentLoaded', paint\);/);
    expect(script).toContain(`${ORIGIN}${background.path}&`); // the versioned URL, then the window size
  });

  it('the form checks the answer with fetch against the signed issuing path, and the backend check posts {id, answer}', () => {
    const [, , form, backend] = snippets(ORIGIN, captcha);
    expect(form.text).not.toMatch(/<form[^>]*action=/); // never a plain POST that lands on raw JSON
    expect(form.text).toContain(JSON.stringify(captcha.issuePath));
    expect(form.text).toContain("e.preventDefault()");
    expect(form.text).toMatch(/<label>[^<]+<input name="answer"/);
    expect(backend.text).toContain(`${ORIGIN}/api/captcha/verify`);
    expect(backend.text).toContain('JSON.stringify({ id: body.captcha_id, answer: body.answer })');
  });
});

/** A server side for the panel: the real DesignSource behind the core's schema, as web mode does. */
function serverApi(state: { designs: DesignSource }) {
  const publishDesign = vi.fn(async (d: DesignInput): Promise<PublishedDesign> => state.designs.publish(parseDesign(d)));
  return { api: coreApi({ publishDesign }), publishDesign };
}

const panel = (api: ReturnType<typeof coreApi>, design: DesignInput, valid: boolean) => createElement(ApiContext.Provider, { value: api }, createElement(ServerPanel, { design, valid }));

describe('the server panel', () => {
  it('keeps the last valid design\'s snippets while a field is invalid: width="abc" never reaches them', async () => {
    const { api } = serverApi({ designs: source() });
    const good = { ...getPreset('placeholder')!, name: 'ph', width: 300 };
    const view = render(panel(api, good, true));
    const imgTag = () => (screen.getByLabelText('<img> tag') as HTMLTextAreaElement).value;
    await waitFor(() => expect(imgTag()).toContain('width="300"'));
    view.rerender(panel(api, { ...good, width: 'abc' as unknown as number }, false));
    expect(screen.getByTestId('last-valid-note')).toBeTruthy();
    await new Promise((r) => setTimeout(r, 400)); // past the publish debounce: nothing is published
    const shown = [...document.querySelectorAll('textarea')].map((t) => t.value).join('\n');
    expect(shown).not.toContain('abc');
    expect(imgTag()).toContain('width="300"');
  });

  it('names each Copy button after what it copies', async () => {
    const { api } = serverApi({ designs: source() });
    render(panel(api, getPreset('classic-captcha')!, true));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Copy form' })).toBeTruthy());
    const names = screen.getAllByRole('button', { name: /^Copy/ }).map((b) => b.getAttribute('aria-label'));
    expect(names).toEqual(['Copy URL', 'Copy image tag', 'Copy form', 'Copy backend check']);
  });

  it('warns that issued captchas ignore a fixed seed, and says where an edited design lives', async () => {
    const { api } = serverApi({ designs: source() });
    render(panel(api, { ...getPreset('classic-captcha')!, name: 'login', seed: 1234 }, true));
    await waitFor(() => expect(screen.getByTestId('fixed-seed-warning').textContent).toMatch(/fixed seed \(1234\).*fresh seed and answer/));
    expect(screen.getByTestId('stored-note').textContent).toMatch(/this server’s memory until it stops.*captcha-studio serve --designs <folder>/);
  });

  it('says when the server did not take the design, instead of silently keeping older snippets', async () => {
    const api = coreApi({ publishDesign: async () => Promise.reject(new Error('could not reach the server')) });
    render(panel(api, getPreset('placeholder')!, true));
    await waitFor(() => expect(screen.getByTestId('publish-error').textContent).toMatch(/did not take this design.*could not reach the server/));
  });

  it('says so and publishes again when the server no longer has the design (restarted)', async () => {
    const state = { designs: source() };
    const { api, publishDesign } = serverApi(state);
    const design = { ...getPreset('placeholder')!, name: 'kept', width: 320 };
    render(panel(api, design, true));
    await waitFor(() => expect(publishDesign).toHaveBeenCalledTimes(1));
    await waitFor(() => expect(screen.getByTestId('stored-note')).toBeTruthy());
    act(() => void fireEvent.focus(window));
    await waitFor(() => expect(publishDesign).toHaveBeenCalledTimes(2));
    expect(screen.queryByTestId('republished-note')).toBeNull(); // still there: nothing to say
    state.designs = source(); // the server restarted
    act(() => void fireEvent.focus(window));
    await waitFor(() => expect(screen.getByTestId('republished-note').textContent).toMatch(/no longer had “kept”.*404: published again/));
  });
});
