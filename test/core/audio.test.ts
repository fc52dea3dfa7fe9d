import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIO_TIMING, mixCaptchaAudio, spokenClips } from '../../src-main/core/audio.ts';
import { captchaAudioWav, loadAudioClips, shippedAudioClips } from '../../src-main/audio/clips.ts';
import { decodeWav, encodeWav, WAV_HEADER_BYTES } from '../../src-main/core/audio-wav.ts';
import { CHARSET_CHARS } from '../../src-main/core/text.ts';
import { InputError } from '../../src-main/core/input-error.ts';
import { seededRng } from '../../src-main/core/random.ts';

const AUDIO_DIR = join(import.meta.dirname, '../../audio');

/** The shortest and longest a mix of these clips can be, from the timing bounds. */
function durationBounds(names: string[]): [number, number] {
  const { clips, sampleRate } = shippedAudioClips();
  const t = AUDIO_TIMING;
  let lo = t.leadIn[0] + t.tail[0];
  let hi = t.leadIn[1] + t.tail[1];
  names.forEach((n, i) => {
    const len = clips.get(n)!.length / sampleRate;
    lo += len / t.speed[1];
    hi += len / t.speed[0];
    if (i < names.length - 1) {
      const gap = n === 'capital' ? t.capitalGap : t.gap;
      lo += gap[0];
      hi += gap[1];
    }
  });
  return [lo - 0.01, hi + 0.01];
}

describe('shipped clips', () => {
  it('speak every character of the non-CJK charsets, are 16-bit mono at one rate, and stay small', () => {
    const { clips, sampleRate } = loadAudioClips(AUDIO_DIR);
    expect(sampleRate).toBeGreaterThanOrEqual(8000);
    expect(sampleRate).toBeLessThanOrEqual(16000);
    for (const ch of new Set(CHARSET_CHARS.alphanumeric)) expect(clips.has(ch.toLowerCase()), ch).toBe(true);
    expect(clips.has('capital')).toBe(true);
    for (const [name, s] of clips) {
      expect(s.length / sampleRate, name).toBeGreaterThan(0.1);
      expect(s.length / sampleRate, name).toBeLessThan(1.2);
    }
    const total = readdirSync(AUDIO_DIR).reduce((sum, f) => sum + statSync(join(AUDIO_DIR, f)).size, 0);
    expect(total).toBeLessThan(1_000_000);
  });
});

describe('WAV encoding', () => {
  it('writes the canonical 44-byte header and round-trips samples', () => {
    const samples = Float32Array.from([0, 0.5, -0.5, 1, -1, 2]);
    const wav = encodeWav({ sampleRate: 11025, samples });
    expect(wav.length).toBe(WAV_HEADER_BYTES + samples.length * 2);
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
    expect(wav.toString('ascii', 8, 16)).toBe('WAVEfmt ');
    expect([wav.readUInt16LE(20), wav.readUInt16LE(22), wav.readUInt32LE(24), wav.readUInt16LE(34)]).toEqual([1, 1, 11025, 16]);
    expect(wav.readUInt32LE(40)).toBe(samples.length * 2);
    const back = decodeWav(wav);
    expect(back.sampleRate).toBe(11025);
    expect([...back.samples].map((v) => Math.round(v * 100) / 100)).toEqual([0, 0.5, -0.5, 1, -1, 1]);
  });

  it('refuses what it cannot read, naming the field', () => {
    expect(() => decodeWav(Buffer.from('not a wav file at all'), 'clip')).toThrow(/^clip: is not a RIFF\/WAVE file/);
    const stereo = encodeWav({ sampleRate: 8000, samples: new Float32Array(4) });
    stereo.writeUInt16LE(2, 22);
    expect(() => decodeWav(stereo, 'clip')).toThrow(/clip: must be 16-bit PCM mono/);
  });
});

describe('spoken answers', () => {
  it('speaks letter names, and says "capital" only when answers are case-sensitive', () => {
    expect(spokenClips('a7Z')).toEqual(['a', '7', 'z']);
    expect(spokenClips('a7Z', true)).toEqual(['a', '7', 'capital', 'z']);
  });

  it('refuses what the clips cannot speak, naming the field and the limit', () => {
    expect(() => spokenClips('中文')).toThrow(InputError);
    expect(() => spokenClips('中文')).toThrow(/text\.charset: .*only digits and the letters a-z/);
    expect(() => spokenClips('')).toThrow(/answer: is empty/);
    expect(() => spokenClips('a'.repeat(33))).toThrow(/answer: must be at most 32 characters/);
  });

  it('lasts as long as its clips and random gaps allow, for short and long answers', () => {
    for (const answer of ['7', 'k3p9x', '12345678901234567890']) {
      const wav = captchaAudioWav(answer, seededRng(3, answer));
      const { sampleRate, samples } = decodeWav(wav);
      const [lo, hi] = durationBounds(spokenClips(answer));
      const secs = samples.length / sampleRate;
      expect(secs, answer).toBeGreaterThanOrEqual(lo);
      expect(secs, answer).toBeLessThanOrEqual(hi);
      expect(wav.length).toBe(WAV_HEADER_BYTES + samples.length * 2);
    }
  });

  it('is reproducible for one seed and differs between draws for the same answer', () => {
    const clips = shippedAudioClips();
    const a = mixCaptchaAudio('abc12', clips, seededRng(1, 'audio')).samples;
    const again = mixCaptchaAudio('abc12', clips, seededRng(1, 'audio')).samples;
    const other = mixCaptchaAudio('abc12', clips, seededRng(2, 'audio')).samples;
    expect(Buffer.from(again.buffer).equals(Buffer.from(a.buffer))).toBe(true);
    expect(other.length === a.length && Buffer.from(other.buffer).equals(Buffer.from(a.buffer))).toBe(false);
  });

  it('carries speech well above the background where a character is spoken', () => {
    const { sampleRate, samples } = mixCaptchaAudio('8', shippedAudioClips(), seededRng(5, 'snr'));
    const rms = (from: number, to: number) => Math.sqrt(samples.slice(from, to).reduce((s, v) => s + v * v, 0) / (to - from));
    // The lead-in is at least 0.3 s of background (noise, maybe babble); the loudest 0.1 s is the spoken clip.
    const lead = rms(0, Math.round(0.25 * sampleRate));
    const win = Math.round(0.1 * sampleRate);
    let speech = 0;
    for (let at = 0; at + win <= samples.length; at += win >> 1) speech = Math.max(speech, rms(at, at + win));
    expect(speech).toBeGreaterThan(lead * 2);
  });
});

describe("the designer's preview audio", () => {
  it('speaks the answer the preview shows at the same seed, for random and math captchas', async () => {
    const { renderDesign } = await import('../../src-main/core/render.ts');
    const { parseDesign } = await import('../../src-main/core/design.ts');
    const { getPreset } = await import('../../src-main/core/presets.ts');
    const { designAnswer } = await import('../../src-main/core/audio-preview.ts');
    const base = getPreset('seed-002-captcha')!;
    const math = { ...base, text: { ...base.text!, mode: 'math' as const } };
    for (const input of [base, math]) {
      const design = parseDesign(input);
      for (const seed of [1, 99, 123456]) expect(designAnswer(design, seed)).toBe(renderDesign(design, { seed }).challenge!.answer);
    }
  });
});
