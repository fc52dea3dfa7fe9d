/**
 * npm run bench:pool — what running the render workers as child processes (crash
 * containment) costs against worker threads, side by side in one run: the two
 * pools take turns, round after round, so both see the same machine load.
 * Writes its section of BENCHMARKS.md.
 *
 * Workloads: captcha batches as the captcha stock asks for them (renderMany of
 * seed-002-captcha, 8 per job, the queue kept full), one 1920x1080 background at
 * a time (PNG), and one raw 1920x1080 preview at a time (8 MB of RGBA pixels
 * back to the main process); then how long a fresh worker takes to serve its
 * first job, and what a worker process holds in memory.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import type { Design } from '../src-main/core/design.ts';
import { getPreset } from '../src-main/core/presets.ts';
import { RenderPool, type Isolation } from '../src-main/render/pool.ts';
import { writeBenchSection } from './report.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 6);
const BATCH_JOBS = Number(process.env.BATCH_JOBS ?? 200); // per round and side: 1600 captchas
const LATENCY_RUNS = Number(process.env.LATENCY_RUNS ?? 12); // per round, side and size
const STARTS = Number(process.env.STARTS ?? 4);
const KINDS: Isolation[] = ['thread', 'process'];

const captcha = getPreset('seed-002-captcha')!;
const background: Design = { ...getPreset('seed-000-background')!, width: 1920, height: 1080 };
const preview: Design = { ...getPreset('sunset-background')!, width: 1920, height: 1080 };

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.9))];

/**
 * CPU time (user + system, all threads) of this process and the pool's worker
 * processes, in ms: unlike wall-clock rates, barely moved by other load on the machine.
 */
function cpuMs(pool: RenderPool): number {
  const ticks = (pid: number | 'self') => {
    try {
      // Fields after the command name: utime and stime are the 12th and 13th.
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return Number(f[11]) + Number(f[12]);
    } catch {
      return 0; // not Linux, or the worker is gone
    }
  };
  return ([ticks('self'), ...pool.workerPids().map(ticks)].reduce((a, b) => a + b, 0) * 1000) / CLK_TCK;
}
const CLK_TCK = 100; // USER_HZ on Linux

/** Images per second with the queue kept full (`2 x size` jobs in flight, like a busy captcha stock), and CPU ms per 1000 images. */
async function captchaRate(pool: RenderPool): Promise<{ rate: number; cpu: number }> {
  let next = 0;
  const c = cpuMs(pool);
  const t = performance.now();
  const lane = async () => {
    while (next++ < BATCH_JOBS) await pool.renderMany(captcha, 8);
  };
  await Promise.all(Array.from({ length: pool.size * 2 }, lane));
  return { rate: (BATCH_JOBS * 8) / ((performance.now() - t) / 1000), cpu: ((cpuMs(pool) - c) / (BATCH_JOBS * 8)) * 1000 };
}

/** One job at a time: what a single client waits for; CPU ms per render in `cpu`. */
async function latencies(pool: RenderPool, design: Design, mode: 'encoded' | 'raw', seed0: number, cpu: number[] = []): Promise<number[]> {
  const out: number[] = [];
  const c = cpuMs(pool);
  for (let i = 0; i < LATENCY_RUNS; i++) {
    const t = performance.now();
    const r = await pool.render(design, { seed: seed0 + i, mode });
    out.push(performance.now() - t);
    if (mode === 'raw' && r.bytes.length !== 1920 * 1080 * 4) throw new Error('raw preview came back the wrong size');
  }
  cpu.push((cpuMs(pool) - c) / LATENCY_RUNS);
  return out;
}

/** RSS, and PSS (shared pages divided among the processes sharing them), in MiB. */
function memMiB(pid: number): { rss: number; pss: number } {
  const read = (file: string, re: RegExp) => {
    try {
      const m = re.exec(readFileSync(file, 'utf8'));
      return m ? Number(m[1]) / 1024 : Number.NaN;
    } catch {
      return Number.NaN;
    }
  };
  return { rss: read(`/proc/${pid}/status`, /VmRSS:\s+(\d+) kB/), pss: read(`/proc/${pid}/smaps_rollup`, /Pss:\s+(\d+) kB/) };
}

const load0 = loadavg()[0];
const pools = Object.fromEntries(KINDS.map((k) => [k, new RenderPool({ isolation: k, maxQueue: 1024 })])) as Record<Isolation, RenderPool>;
const results = Object.fromEntries(KINDS.map((k) => [k, { rate: [] as number[], rateCpu: [] as number[], bg: [] as number[], bgCpu: [] as number[], raw: [] as number[], rawCpu: [] as number[], start: [] as number[] }]));

// Warm-up: every worker started, its design cache and image decoders primed.
for (const k of KINDS) {
  await Promise.all(Array.from({ length: pools[k].size * 2 }, () => pools[k].renderMany(captcha, 8)));
  await latencies(pools[k], background, 'encoded', 900);
  await latencies(pools[k], preview, 'raw', 900);
}

for (let round = 0; round < ROUNDS; round++) {
  // Alternate which side goes first, so neither always follows the other's garbage.
  const order = round % 2 ? [...KINDS].reverse() : KINDS;
  for (const k of order) {
    const r = await captchaRate(pools[k]);
    results[k].rate.push(r.rate);
    results[k].rateCpu.push(r.cpu);
    results[k].bg.push(...(await latencies(pools[k], background, 'encoded', round * 100, results[k].bgCpu)));
    results[k].raw.push(...(await latencies(pools[k], preview, 'raw', round * 100, results[k].rawCpu)));
    console.log(`round ${round + 1}/${ROUNDS} ${k}: ${results[k].rate.at(-1)!.toFixed(0)} captchas/s`);
  }
}

const workerMem = pools.process.workerPids().map(memMiB);
for (const k of KINDS) await pools[k].close();

// A fresh worker (the cost of replacing a crashed or overrun one), source mode via tsx.
for (let i = 0; i < STARTS; i++) {
  for (const k of i % 2 ? [...KINDS].reverse() : KINDS) {
    const t = performance.now();
    const p = new RenderPool({ size: 1, isolation: k });
    await p.render(captcha);
    results[k].start.push(performance.now() - t);
    await p.close();
  }
}
const load1 = loadavg()[0];

const t = results.thread;
const p = results.process;
const ms = (x: number) => `${x.toFixed(1)} ms`;
const ratio = (proc: number, thr: number) => `${(proc / thr).toFixed(2)}`;
const slower = (proc: number, thr: number) => (proc >= thr ? `+${ms(proc - thr)}` : `${ms(proc - thr)} (faster)`);
const fewer = (proc: number, thr: number) => {
  const pct = (1 - proc / thr) * 100;
  return pct >= 0 ? `${pct.toFixed(1)}% fewer` : `${(-pct).toFixed(1)}% more`;
};
const rows = [
  ['captcha batches (8 × seed-002 per job, queue full), images/s', `${median(t.rate).toFixed(0)}`, `${median(p.rate).toFixed(0)}`, ratio(median(p.rate), median(t.rate)), fewer(median(p.rate), median(t.rate))],
  ['1920x1080 background (PNG), one at a time: median / p90', `${ms(median(t.bg))} / ${ms(p90(t.bg))}`, `${ms(median(p.bg))} / ${ms(p90(p.bg))}`, ratio(median(p.bg), median(t.bg)), slower(median(p.bg), median(t.bg))],
  ['1920x1080 raw preview (8 MB RGBA), one at a time: median / p90', `${ms(median(t.raw))} / ${ms(p90(t.raw))}`, `${ms(median(p.raw))} / ${ms(p90(p.raw))}`, ratio(median(p.raw), median(t.raw)), slower(median(p.raw), median(t.raw))],
  ['CPU per 1000 captchas in batches (all processes, user + system)', ms(median(t.rateCpu)), ms(median(p.rateCpu)), ratio(median(p.rateCpu), median(t.rateCpu)), slower(median(p.rateCpu), median(t.rateCpu))],
  ['CPU per 1920x1080 background', ms(median(t.bgCpu)), ms(median(p.bgCpu)), ratio(median(p.bgCpu), median(t.bgCpu)), slower(median(p.bgCpu), median(t.bgCpu))],
  ['CPU per 1920x1080 raw preview', ms(median(t.rawCpu)), ms(median(p.rawCpu)), ratio(median(p.rawCpu), median(t.rawCpu)), slower(median(p.rawCpu), median(t.rawCpu))],
  ["a fresh worker's first captcha (source mode, tsx): median", ms(median(t.start)), ms(median(p.start)), ratio(median(p.start), median(t.start)), slower(median(p.start), median(t.start))],
];
const cost = (1 - median(p.rate) / median(t.rate)) * 100;
const lines = [
  `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}. The machine was shared with other agents' work while this ran (1-minute load average ${load0.toFixed(1)} at the start, ${load1.toFixed(1)} at the end): compare the two columns, which come from the same run, rather than the absolute figures.`,
  `Command: \`npm run bench:pool\` (${ROUNDS} rounds, the two pools of ${cpus().length} workers taking turns and alternating who goes first; per round and side ${BATCH_JOBS} batch jobs and ${LATENCY_RUNS} renders of each 1920x1080 workload; ${STARTS} fresh single-worker pools each).`,
  '',
  '| workload | threads | processes | processes ÷ threads | cost of processes |',
  '| --- | --- | --- | --- | --- |',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
  '',
  `Memory: after the run each worker process holds ${workerMem.map((m) => `${m.rss.toFixed(0)} MiB RSS (${m.pss.toFixed(0)} MiB PSS)`).join(' and ')}: its own Node, V8 heap, Skia and font caches. Worker threads hold their own V8 heaps and caches too, but share the rest with the main process, so their share cannot be read apart.`,
  '',
  `Verdict: ${cost < 15 ? `processes cost ${cost > 0 ? `${cost.toFixed(1)}%` : 'nothing measurable'} of captcha throughput (under the 15% bar), so \`isolation: 'process'\` is the default` : `processes cost ${cost.toFixed(1)}% of captcha throughput, over the 15% bar`}; a native crash (SIGSEGV, SIGILL) in a worker process then fails only its own job (RenderCrashError) and the worker is replaced, where a thread would take the whole server or desktop main process down. \`isolation: 'thread'\` remains available.`,
];
writeBenchSection('pool', 'Render workers: processes vs threads (crash containment)', lines.join('\n'));
console.log(lines.join('\n'));
