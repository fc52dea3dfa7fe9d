/**
 * npm run bench:render-ab -- --base REV [--runs 3000] [--write]
 *
 * This tree's rendering core against the core at an earlier commit, in ONE process:
 * both module graphs are loaded side by side (the earlier one from a temporary git
 * worktree sharing this tree's node_modules) and every iteration renders the same
 * design and seed with each, alternating which goes first. The machine's drift falls
 * on both sides alike, so small ratios (a few percent) can be told apart from noise,
 * which separate runs of bench:render cannot. Writes BENCHMARKS.md with --write.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeBenchSection } from './report.ts';

const { values: v } = parseArgs({ options: { base: { type: 'string' }, runs: { type: 'string' }, write: { type: 'boolean' } } });
if (!v.base) throw new Error('usage: npm run bench:render-ab -- --base REV [--runs N] [--write]');
const RUNS = Number(v.runs ?? 3000);
const root = new URL('..', import.meta.url).pathname;
const baseRev = execFileSync('git', ['rev-parse', '--short', v.base], { cwd: root, encoding: 'utf8' }).trim();
const headRev = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no', '--', 'src-main'], { cwd: root, encoding: 'utf8' }).trim() !== '';

type Render = (design: unknown, opts: { seed: number }) => unknown;
type Side = { label: string; render: Render; preset: (name: string) => Record<string, unknown> | undefined };

async function side(label: string, dir: string): Promise<Side> {
  const core = await import(join(dir, 'src-main/core/render.ts'));
  const presets = await import(join(dir, 'src-main/core/presets.ts'));
  return { label, render: core.renderImage, preset: presets.getPreset };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const fmt = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`);

const WORKLOADS: { name: string; preset: string; size?: [number, number]; runs: number }[] = [
  { name: 'captcha 270x40 (seed 002)', preset: 'seed-002-captcha', runs: RUNS },
  { name: 'classic captcha', preset: 'classic-captcha', runs: RUNS },
  { name: 'background 1920x1080 (seed 000)', preset: 'seed-000-background', size: [1920, 1080], runs: Math.max(20, RUNS / 50) },
];

const tree = mkdtempSync(join(tmpdir(), 'render-ab-'));
execFileSync('git', ['worktree', 'add', '--detach', tree, baseRev], { cwd: root, stdio: 'ignore' });
symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'));
try {
  const sides = [await side(baseRev, tree), await side('this tree', root)];
  const rows: string[] = [];
  for (const w of WORKLOADS) {
    const designs = sides.map((s) => {
      const d = s.preset(w.preset)!;
      return w.size ? { ...d, width: w.size[0], height: w.size[1] } : d;
    });
    const times: number[][] = [[], []];
    const warm = Math.ceil(w.runs / 5);
    for (let i = 0; i < warm + w.runs; i++) {
      for (const k of i % 2 ? [0, 1] : [1, 0]) {
        const t = performance.now();
        sides[k].render(designs[k], { seed: 1000 + i });
        if (i >= warm) times[k].push(performance.now() - t);
      }
    }
    const [a, b] = times.map(median);
    console.log(`${w.name}: ${baseRev} ${fmt(a)}, this tree ${fmt(b)}, ${(b / a).toFixed(3)}x the time`);
    rows.push(`| ${w.name} | ${fmt(a)} | ${fmt(b)} | ${(b / a).toFixed(2)}x |`);
  }
  const lines = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; both cores in one process, each iteration rendering the same design and seed with both, alternating which goes first; median per image (encoding included) over ${RUNS} captchas and ${Math.max(20, RUNS / 50)} backgrounds after a fifth as many warm-up renders.`,
    `Command: \`npm run bench:render-ab -- --base ${baseRev}${v.runs ? ` --runs ${RUNS}` : ''}\` (this tree: ${headRev}${dirty ? ' with uncommitted changes' : ''}).`,
    '',
    `| workload | ${baseRev} | this tree | time ratio (below 1: faster) |`,
    '| --- | --- | --- | --- |',
    ...rows,
  ];
  console.log(lines.join('\n'));
  if (v.write) writeBenchSection(`render-ab-${baseRev}`, `Rendering core, this tree against ${baseRev}`, lines.join('\n'));
} finally {
  execFileSync('git', ['worktree', 'remove', '--force', tree], { cwd: root, stdio: 'ignore' });
}
