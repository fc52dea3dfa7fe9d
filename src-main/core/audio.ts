/**
 * Audio captchas: the answer spoken from pre-recorded clips (audio/, recorded
 * once with espeak-ng by scripts/record-audio.sh), mixed here with no speech
 * engine at run time. What makes it hard for a machine and fair for a person:
 * - random gaps between characters and a random lead-in, so a listener cannot
 *   slice the file at fixed offsets;
 * - per-character gain and speed jitter, so the same letter never has the same
 *   waveform twice (template matching against the shipped clips fails);
 * - background: low-passed noise plus "babble" (other clips, quiet, slowed or
 *   sped up, at random places), which a person tunes out but a naive
 *   segmenter takes for speech.
 * Pure: the randomness comes from the Rng the caller passes (a CSPRNG on the
 * server, a seeded one for the studio's preview and the tests).
 */
import type { PcmAudio } from './audio-wav.ts';
import { InputError } from './input-error.ts';
import { LIMITS } from './limits.ts';
import { range, type Rng } from './random.ts';

/** The shipped clips, by name: "0".."9", "a".."z", and "capital". All at one sample rate. */
export interface AudioClips {
  sampleRate: number;
  clips: ReadonlyMap<string, Float32Array>;
}

/** The random timing the mixer draws from, in seconds and ratios; tests bound durations with it. */
export const AUDIO_TIMING = {
  leadIn: [0.3, 0.7],
  /** Silence after each spoken character. */
  gap: [0.25, 0.75],
  /** Between "capital" and its letter: short, so the two read as one. */
  capitalGap: [0.05, 0.15],
  tail: [0.3, 0.6],
  /** Playback speed of each clip: above 1 is faster (shorter). */
  speed: [0.9, 1.12],
  gain: [0.7, 1],
  /** Babble clips per spoken character, and their gain. */
  babblePerChar: 1.5,
  babbleGain: [0.08, 0.18],
  noiseGain: [0.04, 0.08],
} as const;

/** Characters the clips can speak (the digits and letters every non-CJK charset draws from). */
export function isSpeakable(ch: string): boolean {
  return /^[0-9A-Za-z]$/.test(ch);
}

/**
 * The clip names that speak `answer`: digits and letter names; an upper-case
 * letter is preceded by "capital" only when answers are case-sensitive (by default
 * the store ignores case, and saying "capital" would only make it longer).
 * Math captchas speak their answer, the number the user types (see README, "Audio captchas").
 */
export function spokenClips(answer: string, caseSensitive = false): string[] {
  const chars = [...answer];
  if (chars.length === 0) throw new InputError('answer', 'is empty: there is nothing to speak');
  if (chars.length > LIMITS.textLength) throw new InputError('answer', `must be at most ${LIMITS.textLength} characters to be spoken`);
  const names: string[] = [];
  for (const ch of chars) {
    if (!isSpeakable(ch)) throw new InputError('text.charset', `audio captchas speak only digits and the letters a-z; "${ch}" cannot be spoken`, { kind: 'refused' });
    if (caseSensitive && ch !== ch.toLowerCase()) names.push('capital');
    names.push(ch.toLowerCase());
  }
  return names;
}

/** `clip` played at `speed` (linear interpolation: cheap, and the jitter is small) and scaled by `gain`, added at `at`. */
function addClip(out: Float32Array, at: number, clip: Float32Array, speed: number, gain: number): number {
  const n = Math.floor(clip.length / speed);
  for (let i = 0; i < n && at + i < out.length; i++) {
    const pos = i * speed;
    const j = Math.floor(pos);
    const frac = pos - j;
    const a = clip[j];
    const b = j + 1 < clip.length ? clip[j + 1] : 0;
    out[at + i] += (a + (b - a) * frac) * gain;
  }
  return n;
}

function clipFor(clips: AudioClips, name: string): Float32Array {
  const c = clips.clips.get(name);
  if (!c) throw new InputError('audio', `clip "${name}" is missing from the audio folder (run scripts/record-audio.sh)`);
  return c;
}

/** Mixes the spoken answer over noise and babble. Throws InputError for an answer the clips cannot speak. */
export function mixCaptchaAudio(answer: string, clips: AudioClips, rng: Rng, opts: { caseSensitive?: boolean } = {}): PcmAudio {
  const names = spokenClips(answer, opts.caseSensitive ?? false);
  const rate = clips.sampleRate;
  const t = AUDIO_TIMING;
  const secs = (r: readonly [number, number]) => Math.round(range(rng, r[0], r[1]) * rate);

  // Lay out the speech first, so the buffer is exactly as long as it needs to be.
  const placed: { at: number; clip: Float32Array; speed: number; gain: number }[] = [];
  let at = secs(t.leadIn);
  names.forEach((name, i) => {
    const clip = clipFor(clips, name);
    const speed = range(rng, t.speed[0], t.speed[1]);
    placed.push({ at, clip, speed, gain: range(rng, t.gain[0], t.gain[1]) });
    at += Math.floor(clip.length / speed);
    if (i < names.length - 1) at += secs(name === 'capital' ? t.capitalGap : t.gap);
  });
  const out = new Float32Array(at + secs(t.tail));
  for (const p of placed) addClip(out, p.at, p.clip, p.speed, p.gain);

  // Babble: other characters, quiet, anywhere.
  const pool = [...clips.clips.keys()].filter((k) => k !== 'capital');
  const babbles = Math.ceil(names.length * t.babblePerChar);
  for (let i = 0; i < babbles; i++) {
    const clip = clipFor(clips, pool[rng.int(0, pool.length - 1)]);
    addClip(out, rng.int(0, out.length - 1), clip, range(rng, 0.8, 1.25), range(rng, t.babbleGain[0], t.babbleGain[1]));
  }

  // Noise, low-passed by a one-pole filter whose cutoff wanders, so it is not a flat hiss a filter removes.
  const noiseGain = range(rng, t.noiseGain[0], t.noiseGain[1]);
  let lp = 0;
  let alpha = range(rng, 0.2, 0.6);
  for (let i = 0; i < out.length; i++) {
    if (i % 512 === 0) alpha = Math.min(0.8, Math.max(0.1, alpha + range(rng, -0.1, 0.1)));
    lp += alpha * (rng.next() * 2 - 1 - lp);
    out[i] += lp * noiseGain * 2;
  }

  let peak = 0;
  for (const v of out) peak = Math.max(peak, Math.abs(v));
  if (peak > 0.95) for (let i = 0; i < out.length; i++) out[i] *= 0.95 / peak;
  return { sampleRate: rate, samples: out };
}
