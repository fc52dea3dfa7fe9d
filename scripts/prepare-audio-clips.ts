/**
 * Turns espeak-ng's raw recordings (22050 Hz, long silences) into the shipped
 * clips: silence trimmed, low-passed and halved to 11025 Hz (speech stays clear,
 * the files stay small), peak-normalised, faded at the edges so concatenating
 * them never clicks. Usage: tsx scripts/prepare-audio-clips.ts RAW_DIR OUT_DIR
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeWav, encodeWav, type PcmAudio } from '../src-main/core/audio-wav.ts';

const [rawDir, outDir] = process.argv.slice(2);
if (!rawDir || !outDir) throw new Error('usage: prepare-audio-clips.ts RAW_DIR OUT_DIR');

/** Windowed-sinc low-pass at a quarter of the rate, then every second sample. */
function halve(a: PcmAudio): PcmAudio {
  const taps = 31;
  const mid = (taps - 1) / 2;
  const h = new Float64Array(taps);
  let sum = 0;
  for (let i = 0; i < taps; i++) {
    const x = i - mid;
    const sinc = x === 0 ? 0.5 : Math.sin(Math.PI * 0.5 * x) / (Math.PI * x);
    h[i] = sinc * (0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (taps - 1)));
    sum += h[i];
  }
  const src = a.samples;
  const out = new Float32Array(Math.floor(src.length / 2));
  for (let o = 0; o < out.length; o++) {
    let acc = 0;
    for (let k = 0; k < taps; k++) {
      const j = o * 2 + k - mid;
      if (j >= 0 && j < src.length) acc += src[j] * h[k];
    }
    out[o] = acc / sum;
  }
  return { sampleRate: Math.round(a.sampleRate / 2), samples: out };
}

function trimAndNormalise(a: PcmAudio): PcmAudio {
  const s = a.samples;
  const quiet = 0.02;
  let start = 0;
  let end = s.length;
  while (start < end && Math.abs(s[start]) < quiet) start++;
  while (end > start && Math.abs(s[end - 1]) < quiet) end--;
  const margin = Math.round(a.sampleRate * 0.01);
  const clip = s.slice(Math.max(0, start - margin), Math.min(s.length, end + margin));
  let peak = 0;
  for (const v of clip) peak = Math.max(peak, Math.abs(v));
  const gain = peak > 0 ? 0.9 / peak : 1;
  const fade = Math.min(Math.round(a.sampleRate * 0.005), clip.length >> 1);
  for (let i = 0; i < clip.length; i++) {
    const edge = Math.min(i, clip.length - 1 - i);
    clip[i] *= gain * (edge < fade ? edge / fade : 1);
  }
  return { sampleRate: a.sampleRate, samples: clip };
}

for (const name of readdirSync(rawDir).filter((n) => n.endsWith('.wav')).sort()) {
  const clip = trimAndNormalise(halve(decodeWav(readFileSync(join(rawDir, name)), name)));
  writeFileSync(join(outDir, name), encodeWav(clip));
}
