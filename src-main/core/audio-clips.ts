/**
 * The shipped clips (audio/ at the project root, beside fonts/), read once per
 * process. A missing folder is an error naming it, at first use, not at start-up:
 * a server that never speaks a captcha does not need them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mixCaptchaAudio, type AudioClips } from './audio.ts';
import { decodeWav, encodeWav } from './audio-wav.ts';
import { InputError } from './input-error.ts';
import type { Rng } from './random.ts';
import { findResourceDir } from './resources.ts';

let loaded: AudioClips | undefined;

/** Reads every `<name>.wav` in `dir` (default: the shipped audio/ folder); all must share one sample rate. */
export function loadAudioClips(dir?: string): AudioClips {
  const folder = dir ?? findResourceDir(import.meta.url, 'audio', 'capital.wav');
  if (!folder) throw new InputError('audio', 'the audio/ clip folder was not found beside the program (run scripts/record-audio.sh)');
  const clips = new Map<string, Float32Array>();
  let sampleRate = 0;
  for (const file of readdirSync(folder).filter((f) => f.endsWith('.wav')).sort()) {
    const pcm = decodeWav(readFileSync(join(folder, file)), `audio/${file}`);
    if (sampleRate && pcm.sampleRate !== sampleRate) throw new InputError(`audio/${file}`, `must be ${sampleRate} Hz like the other clips (it is ${pcm.sampleRate} Hz)`);
    sampleRate = pcm.sampleRate;
    clips.set(file.slice(0, -4), pcm.samples);
  }
  if (!clips.size) throw new InputError('audio', `no .wav clips in ${folder}`);
  return { sampleRate, clips };
}

/** The shipped clips, loaded on first use. */
export function shippedAudioClips(): AudioClips {
  loaded ??= loadAudioClips();
  return loaded;
}

/** The answer spoken over noise, as WAV file bytes. */
export function captchaAudioWav(answer: string, rng: Rng, opts: { caseSensitive?: boolean } = {}): Buffer {
  return encodeWav(mixCaptchaAudio(answer, shippedAudioClips(), rng, opts));
}
