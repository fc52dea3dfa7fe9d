/**
 * The shipped clips (audio/ at the project root, beside fonts/), read once per
 * process, and the mixes made of them. Outside core/, which reads files only for
 * fonts and presets: the mixer itself (core/audio.ts) is pure. A missing folder is an error naming it, at first use, not at start-up:
 * a server that never speaks a captcha does not need them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mixCaptchaAudio, type AudioClips } from '../core/audio.ts';
import { designAnswer } from '../core/audio-preview.ts';
import { decodeWav, encodeWav } from '../core/audio-wav.ts';
import type { Design } from '../core/design.ts';
import { InputError } from '../core/input-error.ts';
import { seededRng, type Rng } from '../core/random.ts';
import { findResourceDir } from '../core/resources.ts';

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

/** The designer's Play audio: the design's answer at `seed`, mixed with a seeded stream so a preview plays the same each time; a WAV data URL. */
export function previewAudioDataUrl(design: Design, seed: number, opts: { caseSensitive?: boolean } = {}): string {
  const wav = captchaAudioWav(designAnswer(design, seed), seededRng(seed, 'audio'), opts);
  return `data:audio/wav;base64,${wav.toString('base64')}`;
}
