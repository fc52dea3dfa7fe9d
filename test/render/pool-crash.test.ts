// Containment: a worker that crashes or overruns fails its own job and nothing else.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDesign } from '../../src-main/core/design.ts';
import { getPreset } from '../../src-main/core/presets.ts';
import { renderImage } from '../../src-main/core/render.ts';
import { RenderAbortedError, RenderCrashError, RenderPool, RenderTimeoutError } from '../../src-main/render/pool.ts';

/** Tens of seconds of drawing (about 28 s on the project's 2-core machine): big overlapping bubbles on 16 MP. */
const slow = parseDesign({
  width: 4000,
  height: 4000,
  background: [{ type: 'bubbles', count: 2000, minRadius: 500, maxRadius: 2000, colors: ['#ff0000', '#00ff00'], alpha: 0.5 }],
});
const quick = getPreset('seed-002-captcha')!;

/** Polls `check` until it holds or `ms` have passed; no fixed sleeps. */
async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const every: number[] = [];
const pools: RenderPool[] = [];
function makePool(...args: ConstructorParameters<typeof RenderPool>): RenderPool {
  const p = new RenderPool(...args);
  pools.push(p);
  return p;
}
/** Remembers every worker pid a pool has had, to check at the end that none outlived it. */
function track(p: RenderPool): number[] {
  const pids = p.workerPids();
  every.push(...pids);
  return pids;
}

afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
  // close() waits for the workers to be gone: not one is left behind.
  for (const p of pools) track(p);
  expect(every.filter(alive)).toEqual([]);
});

describe('a worker process that crashes', () => {
  it('fails only its job with RenderCrashError; a fresh worker renders the next one', async () => {
    const pool = makePool({ size: 1, isolation: 'process' });
    await pool.render(quick); // the worker is up and listening
    const [pid] = track(pool);
    const job = pool.render(slow);
    await until(() => pool.stats().busy === 1);
    process.kill(pid, 'SIGSEGV'); // a real native-crash death of the worker process
    const err = await job.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(RenderCrashError);
    expect((err as RenderCrashError).signal).toBe('SIGSEGV');
    expect((err as Error).message).toBe('render: the design crashed the renderer (killed by SIGSEGV); the renderer was restarted');
    await until(() => !alive(pid));

    const out = await pool.render(quick, { seed: 7 });
    expect(out.bytes.equals(renderImage(quick, { seed: 7 }).bytes)).toBe(true);
    const [next] = track(pool);
    expect(next).not.toBe(pid);
    expect(pool.stats()).toMatchObject({ workers: 1, busy: 0, queued: 0 });

    // The design that crashed a worker is refused at once for a while, without a render.
    const again = await pool.render(slow).then(() => null, (e: unknown) => e);
    expect(again).toBeInstanceOf(RenderCrashError);
    expect((again as Error).message).toMatch(/^render: this design crashed the renderer [\d.]+ (ms|s) ago and is refused for \d+ min more$/);
    expect(pool.workerPids()).toEqual([next]);
  });

  it('takes queued jobs to the replacement worker', async () => {
    const pool = makePool({ size: 1, isolation: 'process', rememberCrashesMs: 0 });
    await pool.render(quick);
    const [pid] = track(pool);
    const doomed = pool.render(slow);
    const waiting = [1, 2, 3].map((seed) => pool.render(quick, { seed }));
    await until(() => pool.stats().busy === 1 && pool.stats().queued === 3);
    process.kill(pid, 'SIGILL');
    await expect(doomed).rejects.toThrow(/killed by SIGILL/);
    const outs = await Promise.all(waiting);
    outs.forEach((o, i) => expect(o.bytes.equals(renderImage(quick, { seed: i + 1 }).bytes)).toBe(true));
    track(pool);
  });
});

describe('deadlines', () => {
  it.each(['process', 'thread'] as const)('stop a %s worker that overruns and replace it; other jobs go on', async (isolation) => {
    const pool = makePool({ size: 1, isolation });
    await pool.render(quick);
    const before = track(pool);
    const t0 = Date.now();
    const overrun = pool.render(slow, { deadlineMs: 200 });
    const behind = pool.render(quick, { seed: 3 });
    const err = await overrun.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(RenderTimeoutError);
    expect((err as Error).message).toBe('render: took longer than 200 ms and was stopped');
    expect(Date.now() - t0).toBeLessThan(10_000); // not the render's tens of seconds
    expect((await behind).bytes.equals(renderImage(quick, { seed: 3 }).bytes)).toBe(true);
    if (isolation === 'process') {
      const after = track(pool);
      expect(after).toHaveLength(1);
      expect(after[0]).not.toBe(before[0]);
      await until(() => !alive(before[0]));
    }
    expect(pool.stats().workers).toBe(1);
  });

  it('default to the pool option and name it in seconds', async () => {
    const pool = makePool({ size: 1, deadlineMs: 1500 });
    await expect(pool.render(slow)).rejects.toThrow('render: took longer than 1.5 s and was stopped');
    track(pool);
  });

  it('refuse a deadline that is not a positive number', async () => {
    const pool = makePool({ size: 1 });
    await expect(pool.render(quick, { deadlineMs: -5 })).rejects.toThrow('deadlineMs: must be a positive number of milliseconds');
    expect(() => new RenderPool({ deadlineMs: Number.NaN })).toThrow(/deadlineMs/);
    track(pool);
  });
});

describe('cancellation and saturation', () => {
  it('drops a queued job whose signal aborts, and reports a slow queue as saturated', async () => {
    const pool = makePool({ size: 1, maxQueue: 4, saturatedAfterMs: 50 });
    await pool.render(quick);
    track(pool);
    const blocker = pool.render(slow, { deadlineMs: 2000 });
    const gone = new AbortController();
    const dropped = pool.render(quick, { signal: gone.signal });
    expect(pool.stats()).toMatchObject({ busy: 1, queued: 1, maxQueue: 4 });
    await until(() => pool.stats().saturated);
    expect(pool.stats().oldestWaitMs).toBeGreaterThan(50);
    gone.abort();
    const err = await dropped.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(RenderAbortedError);
    expect((err as Error).name).toBe('AbortError');
    expect(pool.stats()).toMatchObject({ busy: 1, queued: 0, oldestWaitMs: 0, saturated: false });
    // An already aborted signal is refused before it is queued.
    await expect(pool.render(quick, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(RenderAbortedError);
    await expect(blocker).rejects.toBeInstanceOf(RenderTimeoutError);
  });

  it('counts a full queue as saturated', async () => {
    const pool = makePool({ size: 1, maxQueue: 1, saturatedAfterMs: 60_000 });
    await pool.render(quick);
    track(pool);
    expect(pool.saturated).toBe(false);
    const blocker = pool.render(slow, { deadlineMs: 2000 });
    expect(pool.saturated).toBe(false); // one more may still queue
    const queued = pool.render(quick);
    expect(pool.stats()).toMatchObject({ busy: 1, queued: 1, saturated: true });
    await expect(blocker).rejects.toBeInstanceOf(RenderTimeoutError);
    await queued;
    expect(pool.saturated).toBe(false);
  });
});

describe('closing', () => {
  it('leaves no worker behind when the pool\'s own process is killed', async () => {
    // A process that owns a pool, started as the CLI starts: Node with tsx registered.
    const code = `
      import { register } from 'tsx/esm/api';
      register();
      const { RenderPool } = await import(${JSON.stringify(new URL('../../src-main/render/pool.ts', import.meta.url).href)});
      const { getPreset } = await import(${JSON.stringify(new URL('../../src-main/core/presets.ts', import.meta.url).href)});
      const pool = new RenderPool({ size: 2 });
      await Promise.all([pool.render(getPreset('seed-002-captcha')), pool.render(getPreset('seed-002-captcha'))]);
      console.log(JSON.stringify(pool.workerPids()));
      setInterval(() => {}, 1000);
    `;
    const owner = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: new URL('../..', import.meta.url).pathname, stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      owner.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('\n')) resolve(out.split('\n')[0]);
      });
      owner.once('exit', (c) => reject(new Error(`the owner exited early (${c})`)));
    });
    const pids = JSON.parse(line) as number[];
    expect(pids).toHaveLength(2);
    expect(pids.every(alive)).toBe(true);
    owner.kill('SIGKILL');
    // Each worker sees its IPC channel close and exits.
    await until(() => !pids.some(alive));
    await until(() => owner.exitCode !== null || owner.signalCode !== null);
    // Its raw-pixel folder stayed behind; the next pool to start removes it.
    if (process.platform === 'linux' && existsSync('/dev/shm')) {
      const left = () => readdirSync('/dev/shm').filter((n) => n.startsWith(`captcha-studio-raw-${owner.pid}-`));
      expect(left()).toHaveLength(1);
      const next = makePool({ size: 1 });
      expect(left()).toEqual([]);
      track(next);
    }
  });


  it('stops every worker process', async () => {
    const pool = new RenderPool({ size: 2, isolation: 'process' });
    await Promise.all([pool.render(quick), pool.render(quick)]);
    const pids = pool.workerPids();
    expect(pids).toHaveLength(2);
    expect(pids.every(alive)).toBe(true);
    await pool.close();
    expect(pids.filter(alive)).toEqual([]);
    expect(pool.workerPids()).toEqual([]);
  });
});
