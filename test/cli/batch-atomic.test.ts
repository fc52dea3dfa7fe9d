/**
 * Attack 6 of issue 10: a batch killed mid-way must leave nothing partial behind.
 * The real CLI is spawned and killed with SIGKILL while its staging folder fills;
 * the target must not exist, and the next run must clean the stale staging folder
 * and produce the complete batch. Then the rules for an existing --out-dir, and the
 * desktop's export into a picked folder, which shares the same helper.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src-main/cli.ts';
import { getPreset } from '../../src-main/core/presets.ts';
import { exportBatchToFolder } from '../../src-main/batch/render-batch.ts';
import { RenderPool } from '../../src-main/render/pool.ts';
import { writeFolderAtomically } from '../../src-main/batch/staged-folder.ts';
import { decodePng } from '../support/png.ts';

const BIN = resolve(import.meta.dirname, '../../src-main/bin/captcha-studio.mjs');
const tmp = () => mkdtempSync(join(tmpdir(), 'batch-atomic-'));

function cli(args: string[]): { child: ChildProcess; exit: Promise<[number | null, NodeJS.Signals | null]>; err: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c) => (err += c));
  return { child, exit: once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>, err: () => err };
}

/** Polls `probe` until it returns a value, failing after `ms`. */
async function poll<T>(probe: () => T | undefined, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A pid that is certainly dead: a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid!;
}

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s), isTTY: false });
  return { code, out, err };
}

/** The batch in `dir` is complete: every row of answers.csv names an image there, and nothing else is there. */
function expectCompleteBatch(dir: string, count: number): void {
  const files = readdirSync(dir).sort();
  const rows = readFileSync(join(dir, 'answers.csv'), 'utf8').trim().split('\n');
  expect(rows[0]).toBe('file,answer');
  expect(rows).toHaveLength(count + 1);
  const named = rows.slice(1).map((r) => r.split(',')[0]);
  expect([...named, 'answers.csv'].sort()).toEqual(files);
  expect(files.filter((f) => f.endsWith('.png'))).toHaveLength(count);
}

describe('CLI batch: all at once or not at all', () => {
  it('a kill -9 mid-batch leaves no DIR and no answers.csv; the next run removes the stale staging folder and completes', { timeout: 180_000 }, async () => {
    const parent = tmp();
    const dir = join(parent, 'out');
    const first = cli(['render', 'seed-002-captcha', '--count', '3000', '--out-dir', dir]);
    const prefix = `.out.staging-${first.child.pid}-`;
    const staging = await poll(
      () => {
        const s = readdirSync(parent).find((n) => n.startsWith(prefix));
        return s && readdirSync(join(parent, s)).filter((f) => f.endsWith('.png')).length >= 20 ? s : undefined;
      },
      90_000,
      'the staging folder to hold images',
    );
    first.child.kill('SIGKILL');
    expect((await first.exit)[1]).toBe('SIGKILL');
    // Nothing at the target; the killed run's staging folder is all that is left, beside it.
    expect(existsSync(dir)).toBe(false);
    expect(readdirSync(parent)).toEqual([staging]);
    expect(existsSync(join(parent, staging, 'answers.csv'))).toBe(false);

    const second = cli(['render', 'seed-002-captcha', '--count', '3000', '--out-dir', dir]);
    const [code] = await second.exit;
    expect(code, second.err()).toBe(0);
    expect(readdirSync(parent)).toEqual(['out']);
    expectCompleteBatch(dir, 3000);
    const png = decodePng(readFileSync(join(dir, 'seed-002-captcha-3000.png')));
    expect([png.width, png.height]).toEqual([270, 40]);
  });

  it('an empty DIR is replaced; a non-empty one is refused unless --replace, which swaps it whole', async () => {
    const parent = tmp();
    const dir = join(parent, 'out');
    mkdirSync(dir);
    expect((await run('render', 'digits-captcha', '--count', '3', '--out-dir', dir)).code).toBe(0);
    expectCompleteBatch(dir, 3);

    writeFileSync(join(dir, 'mine.txt'), 'keep me');
    const refused = await run('render', 'digits-captcha', '--count', '2', '--out-dir', dir);
    expect(refused.code).toBe(2);
    expect(refused.err.split('\n')[0]).toBe(`error: --out-dir: ${dir} already exists and is not empty; choose a new folder, or pass --replace to swap it for the new batch`);
    expect(readFileSync(join(dir, 'mine.txt'), 'utf8')).toBe('keep me');
    expect(readdirSync(dir)).toHaveLength(5);

    const replaced = await run('render', 'digits-captcha', '--count', '2', '--out-dir', dir, '--replace');
    expect(replaced.code, replaced.err).toBe(0);
    expectCompleteBatch(dir, 2);
    expect(readdirSync(parent)).toEqual(['out']);

    writeFileSync(join(parent, 'file'), 'x');
    const notFolder = await run('render', 'digits-captcha', '--count', '2', '--out-dir', join(parent, 'file'), '--replace');
    expect(notFolder.code).toBe(2);
    expect(notFolder.err.split('\n')[0]).toBe(`error: --out-dir: ${join(parent, 'file')} exists and is not a folder`);
    expect((await run('render', 'digits-captcha', '--out', join(parent, 'x.png'), '--replace')).err).toMatch(/--replace goes with --out-dir/);
  });

  it('a failed batch leaves the target as it was', async () => {
    const parent = tmp();
    const dir = join(parent, 'out');
    mkdirSync(dir);
    writeFileSync(join(dir, 'old.txt'), 'old');
    await expect(
      writeFolderAtomically(dir, (staging) => {
        writeFileSync(join(staging, 'half.png'), 'x');
        throw new Error('render failed');
      }, { replace: true }),
    ).rejects.toThrow('render failed');
    expect(readdirSync(parent)).toEqual(['out']);
    expect(readdirSync(dir)).toEqual(['old.txt']);
  });

  it('a replace killed between its two renames gets the old folder back; one killed after them loses only the old folder', async () => {
    const parent = tmp();
    const dir = join(parent, 'out');
    const pid = await deadPid();
    // Killed after moving the old folder aside, before moving the new one in.
    mkdirSync(join(parent, `.out.replaced-${pid}-aaaaaa`));
    writeFileSync(join(parent, `.out.replaced-${pid}-aaaaaa`, 'old.txt'), 'old');
    mkdirSync(join(parent, `.out.staging-${pid}-bbbbbb`));
    // Another batch of this target running now in this process: never touched.
    mkdirSync(join(parent, `.out.staging-${process.pid}-cccccc`));
    await expect(writeFolderAtomically(dir, () => {}, {})).rejects.toThrow(/already exists and is not empty/);
    expect(readFileSync(join(dir, 'old.txt'), 'utf8')).toBe('old');
    expect(readdirSync(parent).sort()).toEqual([`.out.staging-${process.pid}-cccccc`, 'out']);

    // Killed after the new folder was moved in: the old one set aside is removed.
    mkdirSync(join(parent, `.out.replaced-${pid}-dddddd`));
    await writeFolderAtomically(dir, (s) => writeFileSync(join(s, 'new.txt'), 'new'), { replace: true });
    expect(readdirSync(dir)).toEqual(['new.txt']);
    expect(readdirSync(parent).sort()).toEqual([`.out.staging-${process.pid}-cccccc`, 'out']);
  });
});

describe('desktop batch into a picked folder', () => {
  const pool = new RenderPool({ size: 1 });
  afterAll(() => pool.close());

  it('becomes one new subfolder moved in whole; the user\'s files and a dead run\'s staging folder are handled', async () => {
    const picked = tmp();
    writeFileSync(join(picked, 'mine.txt'), 'the user\'s own file');
    const stale = `.digits-captcha-batch.staging-${await deadPid()}-zzzzzz`;
    mkdirSync(join(picked, stale));
    writeFileSync(join(picked, stale, 'digits-captcha-1.png'), 'partial');
    const path = await exportBatchToFolder(pool, getPreset('digits-captcha')!, 4, picked);
    expect(path).toBe(join(picked, 'digits-captcha-batch'));
    expect(readdirSync(picked).sort()).toEqual(['digits-captcha-batch', 'mine.txt']);
    expectCompleteBatch(path, 4);
    // Cancelled: nothing new in the picked folder.
    const controller = new AbortController();
    controller.abort();
    await expect(exportBatchToFolder(pool, getPreset('digits-captcha')!, 4, picked, { signal: controller.signal })).rejects.toThrow(/cancelled/);
    expect(readdirSync(picked).sort()).toEqual(['digits-captcha-batch', 'mine.txt']);
  });
});
