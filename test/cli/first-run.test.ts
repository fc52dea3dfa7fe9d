/** The first things a newcomer types: --help and --version, `npm run serve` and the URL it prints. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main } from '../../src-main/cli.ts';

const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s), isTTY: false });
  return { code, out, err };
}

/**
 * Starts a node script, resolves with its output once `until` matches it (or rejects
 * when it exits first), and hands back a stop that sends SIGTERM and waits for the exit code.
 */
function started(args: string[], until: RegExp) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let out = '';
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      if (until.test(out)) resolve(out);
    });
    child.stderr.on('data', (d) => (out += d));
    void exited.then((code) => reject(new Error(`exited ${code} before printing ${until}:\n${out}`)));
  });
  const stop = () => {
    child.kill('SIGTERM');
    return exited;
  };
  return { ready, stop, child };
}

describe('--help and --version', () => {
  it.each([['serve', '--help'], ['serve', '-h']])('%s %s prints serve\'s own usage and exits 0', async (...argv) => {
    const r = await run(...argv);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/^usage:\n {2}captcha-studio serve /);
    expect(r.out).toContain('serve options:');
    expect(r.out).toContain('--port P');
    expect(r.out).toContain('--no-studio');
    expect(r.out).not.toContain('render options:');
  });

  it.each([['render', '--help'], ['render', '-h'], ['render', 'seed-002-captcha', '--help']])('%s %s prints render\'s own usage and exits 0', async (...argv) => {
    const r = await run(...argv);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^usage:\n {2}captcha-studio render /);
    expect(r.out).toContain('render options:');
    expect(r.out).toContain('--out-dir');
    expect(r.out).not.toContain('serve options:');
  });

  it.each([['--version'], ['-v'], ['version'], ['serve', '--version'], ['serve', '-v'], ['render', '--version']])('%s prints the package version and exits 0', async (...argv) => {
    const r = await run(...argv);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toBe(`${VERSION}\n`);
  });

  it('the general usage points to the commands\' own --help and to --version', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('captcha-studio --version');
    expect(r.out).toContain('COMMAND --help');
    expect(r.out).toContain('render options:');
    expect(r.out).toContain('serve options:');
  });

  it('an unknown option is still refused', async () => {
    const r = await run('serve', '--helpme');
    expect(r.code).toBe(2);
    expect(r.err.split('\n')[0]).toMatch(/Unknown option '--helpme'/);
  });
});

describe('serve names the designer', () => {
  it('prints the designer\'s URL after the listening line when web mode is on', async () => {
    const s = started(['src-main/bin/captcha-studio.mjs', 'serve', '--port', '0'], /designer \(web mode\): .*\n/);
    try {
      const out = await s.ready;
      const lines = out.split('\n');
      const url = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(lines[0])?.[1];
      expect(url, out).toBeDefined();
      expect(lines[1]).toMatch(new RegExp(`^designer \\(web mode\\): ${url!.replace(/\./g, '\\.')}/studio/( \\(the UI is not built yet: .*\\))?$`));
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });

  it('prints no designer URL with --no-studio', async () => {
    const s = started(['src-main/bin/captcha-studio.mjs', 'serve', '--port', '0', '--no-studio'], /^signed URLs: .*\n/m);
    try {
      const out = await s.ready;
      expect(out).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+\n/);
      expect(out).not.toContain('designer');
      expect(out).not.toContain('/studio/');
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });

  it('on a production server, names the designer only with a studio token, and says it needs the token', async () => {
    const off = started(['src-main/bin/captcha-studio.mjs', 'serve', '--port', '0', '--production', '--workers', '1'], /^signed URLs: .*\n/m);
    try {
      expect(await off.ready).not.toMatch(/^designer/m);
    } finally {
      expect(await off.stop()).toBe(0);
    }
    const on = started(['src-main/bin/captcha-studio.mjs', 'serve', '--port', '0', '--production', '--workers', '1', '--studio-token', 't'.repeat(32)], /designer \(web mode\): .*\n/);
    try {
      expect(await on.ready).toMatch(/^designer \(web mode\): http:\/\/127\.0\.0\.1:\d+\/studio\/ with the studio token \(open \/studio\/\?token=TOKEN once\)$/m);
    } finally {
      expect(await on.stop()).toBe(0);
    }
  });
});

describe('npm run serve (scripts/serve.mjs)', () => {
  it.each([[['--port', '0']], [['--port=0']], [['-p', '0']]])('takes the user\'s port %j, prints the designer URL, and stops its server on SIGTERM', async (args) => {
    const s = started(['scripts/serve.mjs', ...args], /designer \(web mode\): .*\n/);
    let serverUrl: string | undefined;
    try {
      const out = await s.ready;
      serverUrl = /^listening on (http:\/\/127\.0\.0\.1:(\d+))$/m.exec(out)?.[1];
      expect(serverUrl, out).toBeDefined();
      expect(serverUrl).not.toMatch(/:7878$/);
      expect(out).toContain(`designer (web mode): ${serverUrl}/studio/`);
      expect((await fetch(`${serverUrl}/healthz`)).ok).toBe(true);
    } finally {
      expect(await s.stop()).toBe(0);
    }
    // The script passed SIGTERM on: its server does not outlive it.
    await expect(fetch(`${serverUrl}/healthz`)).rejects.toThrow();
  });
});
