/**
 * One round trip through an example app (examples/<name>/app.mjs), shared by the Express
 * and Fastify tests: the app imports `captcha-studio/server` by its package name, so
 * this runs the built library exactly as a user's backend would.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/build-lib.mjs';
import { decodePng } from '../support/png.ts';
import { answerRecordingStore, builtServer, unavailableStore, type LibServer } from './built-library.ts';

/** Starts the example's app with this captcha service on a free loopback port; returns its base URL and a stop. */
export type StartApp = (appModule: unknown, captchas: LibServer.CaptchaService) => Promise<{ base: string; stop: () => Promise<void> }>;

interface Form {
  id: string;
  image: Buffer;
  html: string;
}

/** The form's captcha, read as a browser would: the hidden id and the data URL image. */
function readForm(html: string): Form {
  const id = /<input type="hidden" name="captchaId" value="([A-Za-z0-9_-]+)">/.exec(html)?.[1];
  const src = /<img src="data:image\/png;base64,([A-Za-z0-9+/=]+)"/.exec(html)?.[1];
  if (!id || !src) throw new Error(`no captcha form in:\n${html.slice(0, 500)}`);
  return { id, image: Buffer.from(src, 'base64'), html };
}

async function getForm(base: string): Promise<{ status: number; form: Form }> {
  const res = await fetch(`${base}/`);
  return { status: res.status, form: readForm(await res.text()) };
}

function submit(base: string, captchaId: string, answer: string): Promise<Response> {
  return fetch(`${base}/signup`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ captchaId, answer }) });
}

export function exampleRoundTrip(name: 'express' | 'fastify', start: StartApp): void {
  const appUrl = pathToFileURL(join(ROOT, 'examples', name, 'app.mjs')).href;

  describe(`examples/${name}`, () => {
    let base = '';
    let stop = async () => {};
    let answerOf: (id: string) => string;

    beforeAll(async () => {
      const recording = await answerRecordingStore();
      answerOf = recording.answerOf;
      const { createCaptchaService } = await builtServer();
      ({ base, stop } = await start(await import(appUrl), createCaptchaService({ design: 'seed-002-captcha', store: recording.store })));
    });
    afterAll(() => stop());

    it('shows a fresh 270x40 captcha each time, as a PNG data URL with its id', async () => {
      const a = await getForm(base);
      const b = await getForm(base);
      expect(a.status).toBe(200);
      const png = decodePng(a.form.image);
      expect([png.width, png.height]).toEqual([270, 40]);
      expect(b.form.id).not.toBe(a.form.id);
      expect(b.form.image.equals(a.form.image)).toBe(false);
      expect(a.form.html).toContain('alt="Captcha: type the characters shown"');
    });

    it('accepts the right answer once, in any case, and refuses a replay', async () => {
      const { form } = await getForm(base);
      const right = await submit(base, form.id, answerOf(form.id).toUpperCase());
      expect(right.status).toBe(200);
      expect(await right.text()).toContain('Captcha passed');
      const replay = await submit(base, form.id, answerOf(form.id));
      expect(replay.status).toBe(400);
      // Refused with a fresh captcha to try instead.
      expect(readForm(await replay.text()).id).not.toBe(form.id);
    });

    it('refuses a wrong answer, which uses the captcha up', async () => {
      const { form } = await getForm(base);
      const wrong = await submit(base, form.id, `${answerOf(form.id)}x`);
      expect(wrong.status).toBe(400);
      expect(await wrong.text()).toContain('role="alert"');
      expect((await submit(base, form.id, answerOf(form.id))).status).toBe(400);
    });

    it('refuses a forged or missing id', async () => {
      const { form } = await getForm(base);
      const forged = `${form.id.slice(0, -2)}${form.id.endsWith('AA') ? 'BB' : 'AA'}`;
      expect((await submit(base, forged, answerOf(form.id))).status).toBe(400);
      const missing = await fetch(`${base}/signup`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'answer=abc' });
      expect(missing.status).toBe(400);
    });

    it('fails closed with a 503 while the store cannot answer', async () => {
      const { createCaptchaService } = await builtServer();
      const down = await start(await import(appUrl), createCaptchaService({ store: await unavailableStore() }));
      try {
        expect((await fetch(`${down.base}/`)).status).toBe(503);
        // An id the store would otherwise accept is still never let through.
        const { form } = await getForm(base);
        const res = await submit(down.base, form.id, answerOf(form.id));
        expect(res.status).toBe(503);
        expect(await res.text()).toContain('unavailable');
      } finally {
        await down.stop();
      }
    });
  });
}
