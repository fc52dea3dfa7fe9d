/**
 * Attacks 5 and 7 of issue 10, over HTTP against throwaway servers with small quotas:
 * font imports without a quota, temporary folders left behind after the server
 * stops, and web-mode batch zips held in memory. Each refusal must name its limit;
 * batch zips are written to disk (valid per `unzip -t`, streamed back with their
 * Content-Length), removed with their job, and memory does not grow with the batch.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { getPreset } from '../../src-main/core/presets.ts';
import { createStudioServer, type ServerOptions, type StudioServer } from '../../src-main/server/server.ts';

const FONTS = resolve(import.meta.dirname, '../../fonts');
const ui = mkdtempSync(join(tmpdir(), 'quota-ui-'));
writeFileSync(join(ui, 'index.html'), '<!doctype html><title>ui</title>');
const started: StudioServer[] = [];
afterAll(async () => {
  for (const s of started) await s.stop();
});

async function serve(opts: ServerOptions = {}): Promise<{ server: StudioServer; base: string }> {
  const server = createStudioServer({ port: 0, pool: { size: 1 }, rendererDir: ui, ...opts });
  started.push(server);
  return { server, base: (await server.start()).url };
}

const importFont = (base: string, file: string) =>
  fetch(`${base}/api/studio/fonts`, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream', 'X-Font-Name': file }, body: readFileSync(join(FONTS, file)) });

/** This process's folders with `prefix` in the temporary folder. */
const ownDirs = (prefix: string) => readdirSync(tmpdir()).filter((n) => n.startsWith(`${prefix}-${process.pid}-`));

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid!;
}

type Job = { id: string; state: string; done: number; total: number; error?: string };

async function startBatch(base: string, design: unknown, count: number, seed?: number): Promise<Job> {
  const res = await fetch(`${base}/api/studio/batch`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ design, count, seed }) });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
}

/** Polls the job until it is no longer running (a deadline, not a sleep); `each` runs at every poll. */
async function finish(base: string, job: Job, each?: () => void): Promise<Job> {
  const deadline = Date.now() + 120_000;
  let st = job;
  while (st.state === 'running') {
    if (Date.now() > deadline) throw new Error(`batch ${job.id} still running`);
    each?.();
    await new Promise((r) => setTimeout(r, 25));
    st = await (await fetch(`${base}/api/studio/batch/${job.id}`)).json();
  }
  return st;
}

/** Where a job's zip is on disk, if it is. */
function zipOf(id: string): string | undefined {
  for (const d of ownDirs('captcha-studio-batches')) if (existsSync(join(tmpdir(), d, `${id}.zip`))) return join(tmpdir(), d, `${id}.zip`);
  return undefined;
}

describe('font import quota', () => {
  it('refuses a file over the size limit, an import past the count, and one past the total, each naming its limit', async () => {
    const before = ownDirs('captcha-studio-fonts');
    const { server, base } = await serve({ webLimits: { fonts: { maxFiles: 2, maxFileBytes: 60_000 } } });
    const big = await importFont(base, 'BebasNeue-Bold.otf'); // 101,772 bytes
    expect(big.status).toBe(413);
    expect((await big.json()).error).toBe('font: must be at most 60000 bytes (58.6 KiB) per file');
    expect((await importFont(base, 'Humor-Sans.ttf')).status).toBe(200);
    expect((await importFont(base, 'ComicNeue-Bold.otf')).status).toBe(200);
    const third = await importFont(base, 'LeckerliOne-Regular.ttf');
    expect(third.status).toBe(400);
    expect(await third.json()).toMatchObject({ field: 'font', error: 'font: at most 2 imported fonts are kept, and 2 already are' });
    // The same bytes again take no new room: accepted.
    expect((await importFont(base, 'Humor-Sans.ttf')).status).toBe(200);

    // The temporary folder holds exactly the two fonts, and goes with the server.
    const mine = ownDirs('captcha-studio-fonts').filter((d) => !before.includes(d));
    expect(mine).toHaveLength(1);
    expect(readdirSync(join(tmpdir(), mine[0])).sort()).toEqual(['ComicNeue-Bold.otf', 'Humor-Sans.ttf']);
    await server.stop();
    expect(existsSync(join(tmpdir(), mine[0]))).toBe(false);
  });

  it('refuses an import that would take the fonts past their total', async () => {
    const { base } = await serve({ webLimits: { fonts: { maxTotalBytes: 70_000 } } });
    expect((await importFont(base, 'Humor-Sans.ttf')).status).toBe(200); // 25,832
    expect((await importFont(base, 'LeckerliOne-Regular.ttf')).status).toBe(200); // 43,212: 69,044 in all
    const over = await importFont(base, 'ComicNeue-Bold.otf'); // 30,236
    expect(over.status).toBe(400);
    expect((await over.json()).error).toBe('font: imported fonts may take at most 70000 bytes (68.4 KiB) together; 67.4 KiB are taken and ComicNeue-Bold.otf is 29.5 KiB');
  });
});

const BIN = resolve(import.meta.dirname, '../../src-main/bin/captcha-studio.mjs');
const dirsOf = (pid: number) => readdirSync(tmpdir()).filter((n) => new RegExp(`^captcha-studio-(fonts|batches)-${pid}-`).test(n));

describe('temporary folders of a process that ends', () => {
  it('captcha-studio serve removes its fonts and zips folders when it stops on SIGTERM', { timeout: 60_000 }, async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exit = once(child, 'exit');
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (c) => {
          out += c;
          const m = /listening on (\S+)/.exec(out);
          if (m) resolve(m[1]);
        });
        child.on('exit', (code) => reject(new Error(`serve exited ${code}`)));
      });
      expect((await importFont(url, 'Humor-Sans.ttf')).status).toBe(200);
      expect((await finish(url, await startBatch(url, getPreset('digits-captcha'), 3))).state).toBe('done');
      expect(dirsOf(child.pid!)).toHaveLength(2);
    } finally {
      child.kill('SIGTERM');
    }
    expect((await exit)[0]).toBe(0);
    expect(dirsOf(child.pid!)).toEqual([]);
  });

  it('a process that exits without stopping its server removes them too', async () => {
    const script = `
      import { makeOwnedTempDir } from ${JSON.stringify(resolve(import.meta.dirname, '../../src-main/files/owned-dirs.ts'))};
      makeOwnedTempDir('captcha-studio-fonts');
      console.log(process.pid);
      process.exit(0);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (c) => (out += c));
    expect((await once(child, 'exit'))[0]).toBe(0);
    expect(Number(out.trim())).toBe(child.pid);
    expect(dirsOf(child.pid!)).toEqual([]);
  });
});

describe('temporary folders of killed servers', () => {
  it('are removed at the next start; a live process\'s are kept', async () => {
    const dead = await deadPid();
    const stale = [`captcha-studio-fonts-${dead}-stale1`, `captcha-studio-batches-${dead}-stale2`];
    const live = `captcha-studio-batches-${process.pid}-live01`;
    for (const d of [...stale, live]) {
      mkdirSync(join(tmpdir(), d));
      writeFileSync(join(tmpdir(), d, 'left.bin'), 'x');
    }
    try {
      await serve();
      for (const d of stale) expect(existsSync(join(tmpdir(), d)), d).toBe(false);
      expect(existsSync(join(tmpdir(), live))).toBe(true);
    } finally {
      for (const d of [...stale, live]) rmSync(join(tmpdir(), d), { recursive: true, force: true });
    }
  });
});

describe('batch zips on disk', () => {
  it('refuses a batch past the per-job limit or the disk quota, naming it, and keeps only finished zips', async () => {
    const { base } = await serve({ webLimits: { batchZips: { maxJobBytes: 64 * 1024, maxDiskBytes: 100 * 1024 } } });
    // Four digits on a flat ground (digits-captcha before issue 14): about 3 KB per image.
    const design = { version: 1, name: 'small-digits', width: 120, height: 40, background: [{ type: 'solid', color: '#f1f3f4' }], text: { charset: 'digits', length: 4, size: 28 }, noise: { lines: 2, dots: 20, lineWidth: 1 } };
    const tooBig = await finish(base, await startBatch(base, design, 60, 1));
    expect(tooBig).toMatchObject({ state: 'failed', error: 'count: a batch zip may be at most 65536 bytes (64 KiB); export fewer or smaller images' });
    expect(zipOf(tooBig.id)).toBeUndefined();

    const a = await finish(base, await startBatch(base, design, 10, 100));
    const b = await finish(base, await startBatch(base, design, 10, 200));
    expect([a.state, b.state]).toEqual(['done', 'done']);
    const over = await finish(base, await startBatch(base, design, 15, 300));
    expect(over.state).toBe('failed');
    expect(over.error).toMatch(/^disk: batch zips on this server may take at most 102400 bytes \(100 KiB\) together and the exports hold [\d.]+ KiB; export fewer or smaller images, or retry when earlier ones expire$/);
    expect(zipOf(over.id)).toBeUndefined();
    expect(zipOf(a.id)).toBeDefined();
    expect(zipOf(b.id)).toBeDefined();
  });

  it('removes the zip of a cancelled batch, and every zip when the server stops', async () => {
    const before = ownDirs('captcha-studio-batches');
    const { server, base } = await serve();
    const done = await finish(base, await startBatch(base, getPreset('digits-captcha'), 3));
    expect(done.state).toBe('done');
    const dir = ownDirs('captcha-studio-batches').filter((d) => !before.includes(d));
    expect(dir).toHaveLength(1);
    const running = await startBatch(base, getPreset('digits-captcha'), 5000);
    expect((await fetch(`${base}/api/studio/batch/${running.id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await finish(base, running)).state).toBe('cancelled');
    expect(readdirSync(join(tmpdir(), dir[0]))).toEqual([`${done.id}.zip`]);
    await server.stop();
    expect(existsSync(join(tmpdir(), dir[0]))).toBe(false);
  });

  it('streams a valid zip from disk with its Content-Length, and memory does not grow with the batch', { timeout: 240_000 }, async () => {
    // Live memory after a full collection: what a zip held in memory would show.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const live = () => {
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const { base } = await serve();
    // PNG effort 0 stores the pixels: about 3 MiB per image whatever they show.
    const design = { ...getPreset('placeholder'), name: 'big', width: 1024, height: 1024, output: { format: 'png', compression: 0 } };
    const peakOf = async (count: number) => {
      const base0 = live();
      let peak = base0;
      const st = await finish(base, await startBatch(base, design, count, 1), () => (peak = Math.max(peak, live())));
      expect(st.state, st.error).toBe('done');
      return { id: st.id, growth: peak - base0 };
    };
    const small = await peakOf(4);
    const big = await peakOf(48);
    const file = join(ui, 'big.zip');
    const res = await fetch(`${base}/api/studio/batch/${big.id}.zip`);
    expect(res.status).toBe(200);
    await pipeline(Readable.fromWeb(res.body as never), createWriteStream(file));
    const size = statSync(file).size;
    expect(Number(res.headers.get('content-length'))).toBe(size);
    expect(size).toBeGreaterThan(48 * 3 * 2 ** 20);
    execFileSync('unzip', ['-tq', file]); // every CRC checks out
    const list = execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' }).trim().split('\n');
    expect(list).toHaveLength(49);
    expect(list.at(-1)).toBe('answers.csv');
    // A batch twelve times larger (over 140 MiB of zip) needs no more than a few images' worth of memory more.
    expect(big.growth - small.growth).toBeLessThan(48 * 2 ** 20);
    rmSync(file);
  });
});
