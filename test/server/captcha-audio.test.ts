/**
 * GET /captcha.wav through the real server: it speaks an issued captcha without
 * consuming it, a few times at most, and tells a forged, expired, verified or
 * exhausted id nothing but one 404.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIO_TIMING, spokenClips } from '../../src-main/core/audio.ts';
import { shippedAudioClips } from '../../src-main/audio/clips.ts';
import { decodeWav } from '../../src-main/core/audio-wav.ts';
import { CaptchaAudio, NO_AUDIO, storeIsCaseSensitive } from '../../src-main/server/captcha-audio.ts';
import { CaptchaStore } from '../../src-main/server/captcha-store.ts';
import { RedisAnswerStore } from '../../src-main/server/redis-store.ts';
import { parseStoreSpec, type StoreSpec } from '../../src-main/server/store-spec.ts';
import { createStudioServer, type StudioServer } from '../../src-main/server/server.ts';
import { recordAnswers } from '../support/answers.ts';
import { call, postJson } from '../support/http.ts';

let server: StudioServer;
let base: string;
let answers: Map<string, string>;

beforeAll(async () => {
  server = createStudioServer({ port: 0, pool: { size: 1 } });
  answers = recordAnswers(server);
  base = (await server.start()).url;
});
afterAll(() => server.stop());

async function issue(): Promise<{ id: string; audio: string; answer: string }> {
  const r = await postJson(base, '/api/captcha', {});
  expect(r.status).toBe(200);
  const { id } = r.json();
  return { id, audio: `/captcha.wav?id=${encodeURIComponent(id)}`, answer: answers.get(id)! };
}

function seconds(wav: Buffer): number {
  const { sampleRate, samples } = decodeWav(wav);
  return samples.length / sampleRate;
}

describe('GET /captcha.wav', () => {
  it('speaks the issued answer as a WAV as long as its characters need, uncached', async () => {
    const { audio, answer } = await issue();
    const r = await call(base, audio);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('audio/wav');
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.body.toString('ascii', 0, 4)).toBe('RIFF');
    const { clips, sampleRate } = shippedAudioClips();
    const spoken = spokenClips(answer).reduce((s, n) => s + clips.get(n)!.length / sampleRate, 0);
    const secs = seconds(r.body);
    expect(secs).toBeGreaterThan(spoken / AUDIO_TIMING.speed[1] + (answer.length - 1) * AUDIO_TIMING.gap[0]);
    expect(secs).toBeLessThan(spoken / AUDIO_TIMING.speed[0] + answer.length * AUDIO_TIMING.gap[1] + 1.5);
  });

  it('differs on every request for the same captcha, and does not consume it', async () => {
    const { id, audio, answer } = await issue();
    const a = await call(base, audio);
    const b = await call(base, audio);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.body.equals(b.body)).toBe(false);
    expect((await postJson(base, '/api/captcha/verify', { id, answer })).json()).toEqual({ valid: true });
  });

  it('plays an id at most 3 times, then answers exactly as for a forged id', async () => {
    const { audio } = await issue();
    for (let i = 0; i < 3; i++) expect((await call(base, audio)).status).toBe(200);
    const exhausted = await call(base, audio);
    const forged = await call(base, `/captcha.wav?id=${'A'.repeat(64)}`);
    const missing = await call(base, '/captcha.wav');
    for (const r of [exhausted, forged, missing]) {
      expect(r.status).toBe(404);
      expect(r.headers['content-type']).not.toBe('audio/wav');
      expect(r.body.toString()).toContain(NO_AUDIO);
    }
    expect(exhausted.body.equals(forged.body)).toBe(true);
  });

  it('has nothing for an id once it was verified, right or wrong', async () => {
    const { id, audio } = await issue();
    expect((await postJson(base, '/api/captcha/verify', { id, answer: 'wrong' })).json()).toEqual({ valid: false });
    expect((await call(base, audio)).status).toBe(404);
  });

  it('speaks the captcha an <img> issued, by its cookie', async () => {
    const img = await call(base, '/captcha.png');
    expect(img.status).toBe(200);
    const cookie = String(img.headers['set-cookie']).split(';')[0];
    const r = await call(base, '/captcha.wav', { headers: { Cookie: cookie } });
    expect(r.status).toBe(200);
    expect(decodeWav(r.body).samples.length).toBeGreaterThan(0);
  });

  it('refuses an id given twice, naming it', async () => {
    const r = await call(base, '/captcha.wav?id=a&id=b');
    expect(r.status).toBe(400);
    expect(r.body.toString()).toContain('id');
  });
});

describe('CaptchaAudio (the answers kept for audio)', () => {
  it('forgets an answer when its id expires', () => {
    let now = 1_000_000;
    const audio = new CaptchaAudio({ now: () => now });
    audio.remember('x', 'abc', now + 1000);
    expect(audio.play('x').length).toBeGreaterThan(44);
    now += 1000;
    expect(() => audio.play('x')).toThrow(NO_AUDIO);
    expect(audio.size).toBe(0);
  });

  it('stays within its bound, dropping the oldest', () => {
    const audio = new CaptchaAudio({ maxEntries: 3 });
    const later = Date.now() + 60_000;
    for (const id of ['a', 'b', 'c', 'd']) audio.remember(id, '12', later);
    expect(audio.size).toBe(3);
    expect(() => audio.play('a')).toThrow(NO_AUDIO);
    expect(audio.play('d').length).toBeGreaterThan(44);
  });

  it('keeps the answers of the last maxEntries captchas issued, whatever was forgotten in between', () => {
    let now = 1_000_000;
    const audio = new CaptchaAudio({ maxEntries: 3, now: () => now });
    audio.remember('a', '11', now + 1000);
    audio.remember('b', '22', now + 2000);
    audio.remember('c', '33', now + 3000);
    audio.forget('b');
    audio.remember('d', '44', now + 4000); // the fourth issued: 'a' goes, though only two were kept
    expect(audio.size).toBe(2);
    expect(() => audio.play('a')).toThrow(NO_AUDIO);
    // Expired ones go from the front, past a forgotten one, and only those.
    now += 3000;
    expect(() => audio.play('c')).toThrow(NO_AUDIO);
    expect(audio.size).toBe(1);
    expect(audio.play('d').length).toBeGreaterThan(44);
    for (let i = 0; i < 10; i++) audio.remember(`e${i}`, '55', now + 60_000);
    expect(audio.size).toBe(3);
    expect(audio.play('e9').length).toBeGreaterThan(44);
  });
});

describe('"capital" before upper-case letters', () => {
  it('only when the store compares answers case-sensitively', () => {
    expect(storeIsCaseSensitive(new CaptchaStore())).toBe(false);
    expect(storeIsCaseSensitive(new CaptchaStore({ ignoreCase: false }))).toBe(true);
    // The shared Redis store keeps the same rule (constructing it does not connect).
    const spec = parseStoreSpec('redis://127.0.0.1:1/0') as Extract<StoreSpec, { kind: 'redis' }>;
    expect(storeIsCaseSensitive(new RedisAnswerStore({ spec }))).toBe(false);
    expect(storeIsCaseSensitive(new RedisAnswerStore({ spec, ignoreCase: false }))).toBe(true);
  });
});
