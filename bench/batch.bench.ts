/**
 * npm run bench:batch [-- --count 20000 --rounds 3 --no-write]
 *
 * Batches from the command line, timed from process start to exit (what a user
 * waits for): `captcha-studio render seed-002-captcha --count N --out-dir DIR`
 * against the seed's PIL drawing code in a loop writing N PNG files
 * (bench/peers/pil_batch.py) and svg-captcha writing N SVG files
 * (bench/peers/svg_batch.mjs), each with answers.csv, in alternating rounds (the
 * order rotating) so drift in the machine's load falls on all three. Then a
 * 1920x1080 batch (seed-000-background at that size): its CPU time over its wall
 * time says how many cores it kept busy. Writes BENCHMARKS.md unless --no-write.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeBenchSection } from './report.ts';

const { values: v } = parseArgs({ options: { count: { type: 'string' }, rounds: { type: 'string' }, 'no-write': { type: 'boolean' } } });
const COUNT = Number(v.count ?? 20_000);
const ROUNDS = Number(v.rounds ?? 3);
const BIG = 200;
const root = new URL('..', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'bench-batch-'));
let runNo = 0;

interface Timed {
  wall: number;
  cpu: number;
}

let lastStderr = '';
function readTimed(out: string, files: number): Timed {
  const written = readdirSync(out).length;
  rmSync(out, { recursive: true, force: true });
  if (written !== files + 1) throw new Error(`expected ${files} files and answers.csv in ${out}, found ${written}`);
  const m = /@@([\d.]+) ([\d.]+) ([\d.]+)/.exec(lastStderr);
  if (!m) throw new Error(`no timing from /usr/bin/time: ${lastStderr.slice(-300)}`);
  return { wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]) };
}

/** Runs a command under GNU time (through a shell that keeps only time's line): wall seconds, and user + system seconds of it and its children. */
function run(cmd: string, args: string[], files: number): Timed {
  const out = join(scratch, `out-${runNo++}`);
  const argv = args.map((a) => (a === 'OUT' ? out : a));
  lastStderr = execFileSync('/bin/sh', ['-c', '/usr/bin/time -f "@@%e %U %S" "$@" 2>&1 >/dev/null', 'sh', cmd, ...argv], { cwd: root, encoding: 'utf8' });
  return readTimed(out, files);
}

const SIDES: { name: string; cmd: string; args: string[] }[] = [
  { name: 'Captcha Studio (`render seed-002-captcha --count N --out-dir DIR`)', cmd: process.execPath, args: ['src-main/bin/captcha-studio.mjs', 'render', 'seed-002-captcha', '--count', String(COUNT), '--out-dir', 'OUT'] },
  { name: 'PIL loop (the seed view\'s drawing code, PNG files)', cmd: '/usr/bin/python3', args: ['bench/peers/pil_batch.py', String(COUNT), 'OUT'] },
  { name: 'svg-captcha (SVG files)', cmd: process.execPath, args: ['bench/peers/svg_batch.mjs', String(COUNT), 'OUT'] },
];

const loadBefore = loadavg()[0];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  const runs = new Map<string, Timed[]>(SIDES.map((s) => [s.name, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < SIDES.length; i++) {
      const s = SIDES[(i + r) % SIDES.length];
      runs.get(s.name)!.push(run(s.cmd, s.args, COUNT));
    }
    console.log(`round ${r + 1}: ${SIDES.map((s) => `${s.name.split(' (')[0]} ${(COUNT / runs.get(s.name)!.at(-1)!.wall).toFixed(0)}/s`).join(', ')}`);
  }
  const big = run(process.execPath, ['src-main/bin/captcha-studio.mjs', 'render', 'seed-000-background', '--width', '1920', '--height', '1080', '--count', String(BIG), '--out-dir', 'OUT'], BIG);
  const ours = median(runs.get(SIDES[0].name)!.map((x) => COUNT / x.wall));
  const rate = (name: string) => median(runs.get(name)!.map((x) => COUNT / x.wall));
  const rows = SIDES.map((s, i) => {
    const r = rate(s.name);
    const target = i === 1 ? '≥ 3x' : i === 2 ? 'ahead (> 1x)' : '';
    const met = i === 1 ? ours / r >= 3 : i === 2 ? ours / r > 1 : null;
    return `| ${s.name} | ${r.toFixed(0)} (${runs.get(s.name)!.map((x) => (COUNT / x.wall).toFixed(0)).join(', ')}) | ${median(runs.get(s.name)!.map((x) => x.wall)).toFixed(1)} s | ${median(runs.get(s.name)!.map((x) => x.cpu)).toFixed(1)} s | ${i === 0 ? '' : `${(ours / r).toFixed(2)}x`} | ${target} | ${met === null ? '' : met ? 'yes' : 'NO'} |`;
  });
  const lines = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, Python ${execFileSync('/usr/bin/python3', ['--version'], { encoding: 'utf8' }).trim().split(' ')[1]}; 1-minute load average ${loadBefore.toFixed(1)} before and ${loadavg()[0].toFixed(1)} after (this benchmark's own load included). Files written to ${tmpdir()} (the same disk for all).`,
    `Command: \`npm run bench:batch\` (${COUNT.toLocaleString('en-US')} captchas per run, ${ROUNDS} alternating rounds, the order rotating; wall time from process start to exit, start-up included; CPU is user + system of the process and its children).`,
    '',
    '| batch of seed 002 captchas | images/s, median (rounds) | wall | CPU | studio ÷ side | target | met |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `1920x1080 batch (\`render seed-000-background --width 1920 --height 1080 --count ${BIG}\`): ${(BIG / big.wall).toFixed(1)} images/s, ${big.cpu.toFixed(1)} s CPU in ${big.wall.toFixed(1)} s: ${(big.cpu / big.wall).toFixed(2)} cores busy on average, start-up included.`,
  ];
  console.log(lines.join('\n'));
  if (!v['no-write']) writeBenchSection('batch', 'Batches from the command line vs the PIL loop and svg-captcha', lines.join('\n'));
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
