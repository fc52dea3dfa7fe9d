/**
 * Play audio in Chromium: the button beside the preview's answer gives an <audio>
 * whose source is a WAV of that answer, which the browser itself can load (the
 * studio's CSP allows it), and a new seed drops it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spokenClips } from '../../src-main/core/audio.ts';
import { decodeWav } from '../../src-main/core/audio-wav.ts';
import { noChromium } from './chromium.ts';
import { openStudio, waitForPreview, type Studio } from './harness.ts';

const skipReason = noChromium();

describe.skipIf(skipReason)('Play audio in Chromium', () => {
  let s: Studio;

  beforeAll(async () => {
    s = await openStudio();
  }, 60_000);

  afterAll(() => s?.close());

  it('gives an <audio> with a WAV of the shown answer that the browser loads', async () => {
    await waitForPreview(s.page);
    const answer = (await s.page.getByTestId('answer').textContent())!;
    await s.page.getByRole('button', { name: 'Play audio' }).click();
    const audio = s.page.getByTestId('audio-preview');
    await audio.waitFor();
    const src = (await audio.getAttribute('src'))!;
    expect(src).toMatch(/^data:audio\/wav;base64,/);
    const wav = decodeWav(Buffer.from(src.split(',')[1], 'base64'));
    const secs = wav.samples.length / wav.sampleRate;
    expect(secs).toBeGreaterThan(spokenClips(answer).length * 0.4);
    // Chromium decoded it: its duration is the file's (a CSP without media-src data: would leave it NaN, and log an error).
    await s.page.waitForFunction(() => (document.querySelector<HTMLAudioElement>('[data-testid=audio-preview]')?.readyState ?? 0) >= 1, undefined, { timeout: 10_000 });
    const duration = await audio.evaluate((el: HTMLAudioElement) => el.duration);
    expect(Math.abs(duration - secs)).toBeLessThan(0.05);
    expect(s.errors).toEqual([]);
  });

  it('drops the clip when a reroll changes the answer', async () => {
    const seq = await waitForPreview(s.page);
    await s.page.getByRole('button', { name: 'Play audio' }).click();
    await s.page.getByTestId('audio-preview').waitFor();
    await s.page.getByRole('button', { name: 'Reroll' }).click();
    await waitForPreview(s.page, seq);
    expect(await s.page.getByTestId('audio-preview').count()).toBe(0);
    await expect(s.page.getByRole('button', { name: 'Play audio' }).isEnabled()).resolves.toBe(true);
  });
});
