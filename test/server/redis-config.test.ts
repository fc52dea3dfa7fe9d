/**
 * The store setting where users write it: `captcha-studio serve --store` (or
 * CAPTCHA_STUDIO_STORE) and the desktop's settings.json `store`; bad values are refused
 * naming the field and the rule, and a served Redis store works end to end.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SettingsStore } from '../../src-main/app/settings.ts';
import { main } from '../../src-main/cli.ts';
import { describeStore, parseStoreSpec } from '../../src-main/server/store-spec.ts';
import { call, postJson } from '../support/http.ts';
import { noRedis, RedisProcess } from '../support/redis.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('store setting', () => {
  it('is memory by default or a redis:// URL with host, port and database', () => {
    expect(parseStoreSpec('')).toEqual({ kind: 'memory' });
    expect(parseStoreSpec('memory')).toEqual({ kind: 'memory' });
    expect(parseStoreSpec('redis://cache.internal:6380/2')).toEqual({ kind: 'redis', url: 'redis://cache.internal:6380/2', host: 'cache.internal', port: 6380, db: 2, tls: false });
    expect(parseStoreSpec('rediss://:pw@10.0.0.5')).toMatchObject({ host: '10.0.0.5', port: 6379, db: 0, tls: true });
    // Printed without credentials.
    expect(describeStore(parseStoreSpec('redis://user:hunter2@10.0.0.5:7000/3'))).toBe('redis://10.0.0.5:7000/3');
  });

  it.each([
    ['redis', /must be "memory" or redis:\/\/HOST:PORT\/DB/],
    ['http://h:6379/0', /must be "memory" or redis:\/\//],
    ['redis://h:6379/16', /database must be a number 0\.\.15 \(got 16\)/],
    ['redis://h:6379/x', /database must be a number 0\.\.15 \(got "x"\)/],
    ['redis://h:0/1', /port must be 1\.\.65535/],
    ['redis://h:6379/0?password=x', /no query or fragment/],
    ['redis://' + 'h'.repeat(3000), /at most 2048 characters/],
  ])('refuses %s, naming the field and the rule', (value, rule) => {
    expect(() => parseStoreSpec(value, '--store')).toThrow(/^--store: /);
    expect(() => parseStoreSpec(value, '--store')).toThrow(rule);
  });

  it('settings.json: defaults to memory, keeps a redis URL, reports a bad one and runs on defaults', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cs-settings-'));
    dirs.push(dir);
    expect(new SettingsStore(dir).settings.store).toBe('memory');
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ version: 1, store: 'redis://127.0.0.1:6379/1' }));
    const good = new SettingsStore(dir);
    expect(good.problem).toBeNull();
    expect(good.settings.store).toBe('redis://127.0.0.1:6379/1');
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ version: 1, store: 'redis://h:6379/99' }));
    const bad = new SettingsStore(dir);
    expect(bad.problem).toMatch(/settings\.json: store: must be "memory" or redis:\/\/.*database must be a number 0\.\.15 \(got 99\)/);
    expect(bad.settings.store).toBe('memory');
  });

  it('serve refuses a bad --store or CAPTCHA_STUDIO_STORE with exit code 2, naming which', async () => {
    const run = async (args: string[]) => {
      let err = '';
      const code = await main(['serve', '--port', '0', ...args], { out: () => {}, err: (s) => (err += s), isTTY: false });
      return { code, err };
    };
    const flag = await run(['--store', 'redis://h:6379/42']);
    expect(flag.code).toBe(2);
    expect(flag.err).toMatch(/^error: --store: must be "memory" or redis:\/\/.*\(got 42\)/);
    process.env.CAPTCHA_STUDIO_STORE = 'postgres://db/1';
    try {
      const env = await run([]);
      expect(env.code).toBe(2);
      expect(env.err).toMatch(/^error: CAPTCHA_STUDIO_STORE: must be "memory" or redis:\/\//);
    } finally {
      delete process.env.CAPTCHA_STUDIO_STORE;
    }
  });
});

const skip = noRedis();
describe.skipIf(skip)('captcha-studio serve --store redis://', () => {
  it('says where the store is, shares it between two processes, and stops on SIGTERM', async () => {
    const redis = await RedisProcess.start();
    const secret = 'two processes, one secret, at least 32 chars';
    const serve = () => {
      const child = spawn(process.execPath, ['src-main/bin/captcha-studio.mjs', 'serve', '--port', '0', '--store', redis.url(5), '--expose-answers'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CAPTCHA_STUDIO_SECRET: secret } });
      let out = '';
      child.stdout.on('data', (c) => (out += c));
      const ready = new Promise<{ url: string; out: () => string }>((resolve, reject) => {
        child.stdout.on('data', () => {
          const m = /listening on (\S+)\n[\s\S]*captcha store: (.*)\n/.exec(out);
          if (m) resolve({ url: m[1], out: () => out });
        });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
      });
      return { child, ready };
    };
    const a = serve();
    const b = serve();
    try {
      const [ra, rb] = await Promise.all([a.ready, b.ready]);
      expect(ra.out()).toContain(`captcha store: redis://127.0.0.1:${redis.port}/5, shared\n`);
      const issued = (await postJson(ra.url, '/api/captcha', {})).json();
      expect((await postJson(rb.url, '/api/captcha/verify', { id: issued.id, answer: issued.answer })).json()).toEqual({ valid: true });
      expect((await postJson(ra.url, '/api/captcha/verify', { id: issued.id, answer: issued.answer })).json()).toEqual({ valid: false });
      expect((await call(rb.url, '/healthz')).json()).toMatchObject({ ok: true, store: 'redis' });
    } finally {
      const exits = [a, b].map(({ child }) => new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve))));
      a.child.kill('SIGTERM');
      b.child.kill('SIGTERM');
      expect(await Promise.all(exits)).toEqual([0, 0]);
      await redis.stop();
    }
  }, 60_000);
});
