/**
 * npm run bench:render — per-image median time and PNG size for the seeds' two
 * workloads (270x40 captcha, 1920x1080 background), Captcha Studio's core against
 * the seeds' own Python + PIL pipeline, in the same run. Writes BENCHMARKS.md.
 * Needs Debian's python3-pil (apt-get install python3-pil).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { renderImage } from '../src-main/core/render.ts';
import { getPreset } from '../src-main/core/presets.ts';
import type { Design } from '../src-main/core/design.ts';
import { writeBenchSection } from './report.ts';

const CAPTCHA_RUNS = Number(process.env.CAPTCHA_RUNS ?? 3000);
const BACKGROUND_RUNS = Number(process.env.BACKGROUND_RUNS ?? 60);
const PYTHON = '/usr/bin/python3';

/** Median time and median PNG size: a random captcha's size varies with its text, so one sample would not do. */
function median(fn: () => number, runs: number): { ms: number; bytes: number } {
  for (let i = 0; i < Math.max(3, runs / 10); i++) fn();
  const times: number[] = [];
  const sizes: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    sizes.push(fn());
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  sizes.sort((a, b) => a - b);
  return { ms: times[runs >> 1], bytes: sizes[runs >> 1] };
}

function pilBaseline(): { pil: string; python: string; captcha: { ms: number; bytes: number }; background: { ms: number; bytes: number } } {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} not found: apt-get install python3-pil`);
  const font = new URL('../fonts/ComicNeue-Bold.otf', import.meta.url).pathname;
  const script = new URL('./seed-baseline/pil_render.py', import.meta.url).pathname;
  try {
    return JSON.parse(execFileSync(PYTHON, [script, font, String(CAPTCHA_RUNS), String(BACKGROUND_RUNS)], { encoding: 'utf8' }));
  } catch (e) {
    throw new Error(`the PIL baseline failed (is python3-pil installed? apt-get install python3-pil): ${(e as Error).message}`, { cause: e });
  }
}

const captcha = getPreset('seed-002-captcha')!;
const captchaEffort = captcha.output.compression;
const background: Design = { ...getPreset('seed-000-background')!, width: 1920, height: 1080 };

console.log('PIL baseline...');
const pil = pilBaseline();
console.log('Captcha Studio...');
const ours = {
  captcha: median(() => renderImage(captcha).bytes.length, CAPTCHA_RUNS),
  background: median(() => renderImage(background).bytes.length, BACKGROUND_RUNS),
};

// How the PNG effort setting trades time for size on the same two images.
const efforts = [0, 1, 2, 3, 5, 9].map((compression) => ({
  compression,
  captcha: median(() => renderImage({ ...captcha, output: { ...captcha.output, compression } }).bytes.length, Math.min(CAPTCHA_RUNS, 1000)),
  background: median(() => renderImage({ ...background, output: { ...background.output, compression } }).bytes.length, Math.min(BACKGROUND_RUNS, 15)),
}));

const rows = [
  ['captcha 270x40 (seed 002)', pil.captcha, ours.captcha, 3],
  ['background 1920x1080 (seed 000)', pil.background, ours.background, 4],
] as const;
const verdicts = rows.map(([, p, o, factor]) => {
  const speed = p.ms / o.ms;
  const size = o.bytes / p.bytes;
  return { speed, size, ok: speed >= factor && size <= 2 };
});
const fmt = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`);
const cpu = cpus()[0]?.model ?? 'unknown CPU';
const lines = [
  `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, Python ${pil.python} + Pillow ${pil.pil}.`,
  `Command: \`npm run bench:render\` (medians of the time and of the PNG size over ${CAPTCHA_RUNS} captchas and ${BACKGROUND_RUNS} backgrounds per side, render + PNG encode to memory, the presets' settings (seed 002's captcha at PNG effort ${captchaEffort}, the background at 2); PIL draws the same font file).`,
  '',
  '| workload | PIL (seed view) | Captcha Studio | speed-up | target | PNG bytes PIL / ours | target met |',
  '| --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map(([name, p, o, factor], i) =>
    `| ${name} | ${fmt(p.ms)} | ${fmt(o.ms)} | ${verdicts[i].speed.toFixed(1)}x | ≥ ${factor}x, ≤ 2x size | ${p.bytes} / ${o.bytes} (${verdicts[i].size.toFixed(2)}x) | ${verdicts[i].ok ? 'yes' : 'NO'} |`,
  ),
  '',
  'PNG effort (`output.compression`, `--compression`) on the same images:',
  '',
  '| effort | captcha time | captcha bytes | background time | background bytes |',
  '| --- | --- | --- | --- | --- |',
  ...efforts.map((e) => `| ${e.compression}${e.compression === 2 ? ' (designs\' default)' : e.compression === captchaEffort ? ' (the captcha presets)' : ''} | ${fmt(e.captcha.ms)} | ${e.captcha.bytes} | ${fmt(e.background.ms)} | ${e.background.bytes} |`),
];
writeBenchSection('render', 'Rendering core vs the seeds\' PIL views', lines.join('\n'));
console.log(lines.join('\n'));
if (verdicts.some((v) => !v.ok)) process.exitCode = 1;
