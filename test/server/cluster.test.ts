/**
 * `captcha-studio serve --processes N` (server/cluster.ts): several HTTP processes on
 * one port. A captcha stays single use and keeps its audio whichever process a
 * request reaches, a process that dies is replaced, and cheap captchas are drawn in
 * the HTTP process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src-main/cli.ts';
import { CaptchaStore } from '../../src-main/server/captcha-store.ts';
import { ClusterLink, parseProcesses } from '../../src-main/server/cluster.ts';
import { RenderPool } from '../../src-main/render/pool.ts';
import { createStudioServer } from '../../src-main/server/server.ts';
import { call, type CallOptions } from '../support/http.ts';

/** A new connection per request: the cluster hands each connection to its processes in turn. */
const fresh = (base: string, path: string, opts: CallOptions = {}) => call(base, path, { ...opts, agent: new Agent({ keepAlive: false }) });
const post = (base: string, path: string, body: unknown) => fresh(base, path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
/** The issuing process's index and generation, sealed into the id (the nonce's first three bytes). */
const ownerOf = (id: string) => Buffer.from(id, 'base64url')[1];
const generationOf = (id: string) => Buffer.from(id, 'base64url').readUInt16BE(2);

/** The cluster's processes: children of `pid` running the CLI (Linux /proc; tsx's esbuild service is a child too). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      // Field 4 of stat is the parent pid; the command name (field 2) may hold spaces, so read after its ')'.
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid && readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('captcha-studio.mjs')) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('--processes', () => {
  it('is "auto" or 1..64; above 1 it needs --no-studio', async () => {
    expect(parseProcesses(undefined)).toBe(1);
    expect(parseProcesses('3')).toBe(3);
    expect(parseProcesses('auto')).toBeGreaterThanOrEqual(1);
    for (const bad of ['0', '65', '1.5', 'two', '']) expect(() => parseProcesses(bad)).toThrow(/^--processes: must be "auto" or a whole number from 1 to 64$/);
    const run = async (args: string[]) => {
      let err = '';
      const code = await main(['serve', '--port', '0', ...args], { out: () => {}, err: (s) => (err += s), isTTY: false });
      return { code, err };
    };
    expect(await run(['--processes', '0', '--no-studio'])).toMatchObject({ code: 2, err: expect.stringContaining('--processes: must be "auto" or a whole number from 1 to 64') });
    expect(await run(['--processes', '2'])).toMatchObject({ code: 2, err: expect.stringContaining('--processes: above 1 needs --no-studio') });
  });
});

describe('ClusterLink', () => {
  it('drops a reply meant for the process it replaced, and fails a call it cannot send at once', async () => {
    const sent: { epoch: number; rid: number }[] = [];
    const a = new ClusterLink({ index: 0, count: 2, generation: 1 }, (m) => void sent.push(m as { epoch: number; rid: number }), 300);
    const b = new ClusterLink({ index: 0, count: 2, generation: 0 }, (_m, failed) => failed());
    try {
      const stale = a.call(1, 'verify', {});
      // Request ids start over in every process: only the epoch tells whose reply this is.
      await a.receive({ cs: 'reply', from: 1, to: 0, epoch: sent[0].epoch + 1, rid: sent[0].rid, value: true });
      await expect(stale).rejects.toThrow(/did not answer in time/);
      const fresh = a.call(1, 'verify', {});
      await a.receive({ cs: 'reply', from: 1, to: 0, epoch: sent[1].epoch, rid: sent[1].rid, value: true });
      await expect(fresh).resolves.toBe(true);
      await expect(b.call(1, 'wav', {})).rejects.toThrow(/could not be reached/);
    } finally {
      a.close();
      b.close();
    }
  });
});

describe('a cluster process draws cheap captchas itself', () => {
  const pools: RenderPool[] = [];
  afterAll(async () => Promise.all(pools.map((p) => p.close())));

  it('issues without the render pool, and verifies its own ids', async () => {
    const pool = new RenderPool({ size: 1 });
    pools.push(pool);
    const renderMany = vi.spyOn(pool, 'renderMany');
    const link = new ClusterLink({ index: 1, count: 2, generation: 0 }, () => {
      throw new Error('nothing is relayed for this process\'s own ids');
    });
    const server = createStudioServer({ port: 0, sharedPool: pool, cluster: link, studio: false, exposeAnswers: true });
    const { url } = await server.start();
    try {
      for (let i = 0; i < 3; i++) {
        const issued = (await post(url, '/api/captcha', {})).json();
        expect(ownerOf(issued.id)).toBe(1);
        expect(issued.image).toMatch(/^data:image\/png;base64,/);
        expect((await post(url, '/api/captcha/verify', { id: issued.id, answer: issued.answer })).json()).toEqual({ valid: true });
      }
      // Seed 002's captchas are drawn 7 at a time (inline-stock.ts): across three batches,
      // every one is a new image and answer, and every one verifies once.
      const seen = new Set<string>();
      const answers = new Set<string>();
      for (let i = 0; i < 16; i++) {
        const r = await fresh(url, '/get_validCode_img');
        expect(r.status).toBe(200);
        seen.add(r.body.toString('base64'));
        answers.add(String(r.headers['x-captcha-answer']));
        const id = String(r.headers['x-captcha-id']);
        expect((await post(url, '/api/captcha/verify', { id, answer: r.headers['x-captcha-answer'] })).json()).toEqual({ valid: true });
        expect((await post(url, '/api/captcha/verify', { id, answer: r.headers['x-captcha-answer'] })).json()).toEqual({ valid: false });
      }
      expect(seen.size).toBe(16);
      expect(answers.size).toBe(16);
      expect(renderMany).not.toHaveBeenCalled();
      // A lone server (no cluster) sends the same captchas to its pool.
      const lone = createStudioServer({ port: 0, sharedPool: pool, studio: false });
      const { url: loneUrl } = await lone.start();
      expect((await fresh(loneUrl, '/captcha.png')).status).toBe(200);
      await lone.stop();
      expect(renderMany).toHaveBeenCalled();
    } finally {
      await server.stop();
      link.close();
    }
  });
});

describe('ids from outside the cluster', () => {
  it('are refused with the memory store: no process of this cluster holds their used state (a lone server sharing the secret)', async () => {
    const secret = 'one secret for a lone server and a cluster, 32+ chars';
    const link = new ClusterLink({ index: 0, count: 2, generation: 0 }, () => {
      throw new Error('an id from outside the cluster must not be relayed');
    });
    const server = createStudioServer({ port: 0, cluster: link, studio: false, secret, pool: { size: 1 } });
    const { url } = await server.start();
    try {
      // What a server with the same secret and another owner byte (here 7) issues.
      const outside = new CaptchaStore({ secret, owner: { index: 7, generation: 0 } }).issue('kx4mq');
      expect(ownerOf(outside.id)).toBe(7);
      // Accepting it here would let it be used once per process.
      expect((await post(url, '/api/captcha/verify', { id: outside.id, answer: 'kx4mq' })).json()).toEqual({ valid: false });
      // One of this process's own index but an earlier generation (a process that died) likewise.
      const predecessor = new CaptchaStore({ secret, owner: { index: 0, generation: 3 } }).issue('kx4mq');
      expect((await post(url, '/api/captcha/verify', { id: predecessor.id, answer: 'kx4mq' })).json()).toEqual({ valid: false });
      const own = new CaptchaStore({ secret, owner: { index: 0, generation: 0 } }).issue('kx4mq');
      expect((await post(url, '/api/captcha/verify', { id: own.id, answer: 'kx4mq' })).json()).toEqual({ valid: true });
      expect((await fresh(url, `/captcha.wav?id=${outside.id}`)).status).toBe(404);
    } finally {
      await server.stop();
      link.close();
    }
  });
});

describe('captcha-studio serve --processes 2', () => {
  it('stops with exit code 2, naming the port, when the port is taken', async () => {
    const taken = createStudioServer({ port: 0, studio: false, pool: { size: 1 } });
    const { port } = await taken.start();
    try {
      const child = spawn(process.execPath, ['src-main/bin/captcha-studio.mjs', 'serve', '--port', String(port), '--no-studio', '--processes', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      child.stderr!.on('data', (c) => (err += c));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(2);
      expect(err).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(err).not.toContain('EPIPE');
    } finally {
      await taken.stop();
    }
  }, 60_000);
});

describe('captcha-studio serve --processes 2 under use', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('keeps captchas single use and audible across its processes, replaces one that dies, and stops on SIGTERM', async () => {
    child = spawn(process.execPath, ['src-main/bin/captcha-studio.mjs', 'serve', '--port', '0', '--no-studio', '--processes', '2', '--expose-answers'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (c) => (out += c));
    child.stderr!.on('data', (c) => (err += c));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', resolve));
    const url = await until('listening', () => /listening on (\S+)\n/.exec(out)?.[1], 60_000);
    // The lines after it may come in a later chunk.
    await until('the start message', () => (out.includes('2 HTTP processes (--processes)') ? true : undefined));
    // One start message, not one per process.
    expect(out.match(/listening on/g)).toHaveLength(1);
    const primary = child.pid!;
    await until('both processes', () => (childrenOf(primary).length >= 2 ? true : undefined));

    const issue = async () => (await post(url, '/api/captcha', {})).json() as { id: string; answer: string };
    // Both processes issuing (the second may still be starting when the first says where it listens).
    const issued = await until('both processes issuing', async () => {
      const batch = [];
      for (let i = 0; i < 8; i++) batch.push(await issue());
      return new Set(batch.map((c) => ownerOf(c.id))).size === 2 ? batch : undefined;
    });
    expect(new Set(issued.map((c) => ownerOf(c.id)))).toEqual(new Set([0, 1]));
    expect(issued.every((c) => generationOf(c.id) === 0)).toBe(true);

    // Audio first (verifying forgets it): each id's audio, twice, over new connections,
    // so one of the two reaches the process that did not issue it.
    for (const c of issued) {
      for (let k = 0; k < 2; k++) {
        const wav = await fresh(url, `/captcha.wav?id=${c.id}`);
        expect(wav.status).toBe(200);
        expect(wav.body.subarray(0, 4).toString('latin1')).toBe('RIFF');
      }
    }
    // Right answer three times: valid once, then refused, wherever each attempt lands.
    for (const c of issued) {
      const tries = [];
      for (let k = 0; k < 3; k++) tries.push((await post(url, '/api/captcha/verify', { id: c.id, answer: c.answer })).json().valid);
      expect(tries).toEqual([true, false, false]);
      // Verified: no audio any more, from either process (the relay carries the 404).
      for (let k = 0; k < 2; k++) expect((await fresh(url, `/captcha.wav?id=${c.id}`)).status).toBe(404);
    }
    // A wrong answer uses the id up too.
    const wrong = await issue();
    expect((await post(url, '/api/captcha/verify', { id: wrong.id, answer: `${wrong.answer}x` })).json()).toEqual({ valid: false });
    expect((await post(url, '/api/captcha/verify', { id: wrong.id, answer: wrong.answer })).json()).toEqual({ valid: false });

    // A process killed outright is replaced; captchas keep working. Ids it issued and
    // nobody verified yet are refused afterwards: its used ids died with it.
    const pending = [];
    for (let i = 0; i < 8; i++) pending.push(await issue());
    const [victim] = childrenOf(primary);
    process.kill(victim, 'SIGKILL');
    await until('the replacement', () => (err.includes('starting another in its place') && childrenOf(primary).length >= 2 && !childrenOf(primary).includes(victim) ? true : undefined));
    await until('both processes issuing again', async () => {
      const owners = new Set<number>();
      for (let i = 0; i < 4; i++) owners.add(ownerOf((await issue()).id));
      return owners.size === 2 ? true : undefined;
    });
    for (let i = 0; i < 4; i++) {
      const c = await issue();
      expect((await post(url, '/api/captcha/verify', { id: c.id, answer: c.answer })).json()).toEqual({ valid: true });
    }
    // The replacement writes the next generation into its ids: that is the dead process's index.
    const replaced = await until('an id from the replacement', async () => {
      const c = await issue();
      return generationOf(c.id) === 1 ? ownerOf(c.id) : undefined;
    });
    for (const c of pending) {
      const valid = (await post(url, '/api/captcha/verify', { id: c.id, answer: c.answer })).json().valid;
      expect(valid, `issued by process ${ownerOf(c.id)}`).toBe(ownerOf(c.id) !== replaced);
    }
    expect(pending.some((c) => ownerOf(c.id) === replaced) && pending.some((c) => ownerOf(c.id) !== replaced)).toBe(true);

    const processes = childrenOf(primary);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const pid of processes) expect(() => process.kill(pid, 0)).toThrow();
  }, 120_000);
});
