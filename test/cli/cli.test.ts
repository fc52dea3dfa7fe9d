import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src-main/cli.ts';
import { getPreset } from '../../src-main/core/presets.ts';
import { renderDesign } from '../../src-main/core/render.ts';
import { decodePng } from '../support/png.ts';

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s), isTTY: false });
  return { code, out, err };
}
const tmp = () => mkdtempSync(join(tmpdir(), 'cli-'));

describe('captcha-studio render', () => {
  it('writes a 270x40 PNG for seed-002-captcha and prints its answer', async () => {
    const file = join(tmp(), 'c.png');
    const r = await run('render', 'seed-002-captcha', '--out', file, '--seed', '12');
    expect(r.code).toBe(0);
    const img = decodePng(readFileSync(file));
    expect([img.width, img.height]).toEqual([270, 40]);
    const expected = renderDesign(getPreset('seed-002-captcha')!, { seed: 12 }).challenge!.answer;
    expect(r.out).toContain(`answer: ${expected}`);
  });

  it('applies --width/--height and picks the format from the extension', async () => {
    const dir = tmp();
    expect((await run('render', 'seed-000-background', '--out', join(dir, 'bg.png'), '--width', '640', '--height', '480')).code).toBe(0);
    expect(decodePng(readFileSync(join(dir, 'bg.png'))).width).toBe(640);
    expect((await run('render', 'classic-captcha', '--out', join(dir, 'c.jpg'))).code).toBe(0);
    expect(readFileSync(join(dir, 'c.jpg')).subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect((await run('render', 'classic-captcha', '--out', join(dir, 'c.bin'), '--format', 'webp')).code).toBe(0);
    expect(readFileSync(join(dir, 'c.bin')).subarray(8, 12).toString()).toBe('WEBP');
  });

  it('renders a design file and prints JSON on request', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'd.json'), JSON.stringify({ width: 50, height: 20, seed: 1, text: { mode: 'fixed', value: 'hi' } }));
    const r = await run('render', join(dir, 'd.json'), '--out', join(dir, 'd.png'), '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ width: 50, height: 20, answer: 'hi', seed: 1 });
  });

  it('writes a batch with answers.csv whose answers match the images', async () => {
    const dir = join(tmp(), 'out');
    const r = await run('render', 'digits-captcha', '--count', '12', '--out-dir', dir, '--seed', '100');
    expect(r.code).toBe(0);
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(13);
    const rows = readFileSync(join(dir, 'answers.csv'), 'utf8').trim().split('\n');
    expect(rows[0]).toBe('file,answer');
    expect(rows).toHaveLength(13);
    rows.slice(1).forEach((row, i) => {
      const [file, answer] = row.split(',');
      expect(existsSync(join(dir, file))).toBe(true);
      expect(answer).toBe(renderDesign(getPreset('digits-captcha')!, { seed: 100 + i }).challenge!.answer);
    });
  });

  it.each([
    [['render', 'seed-002-captcha', '--width', '9000'], /width: must be at most 8192/],
    [['render', 'seed-002-captcha', '--seed', 'abc'], /seed: must be a number/],
    [['render', 'seed-002-captcha', '--format', 'gif'], /output\.format/],
    [['render', 'seed-002-captcha', '--compression', '11'], /output\.compression: must be at most 9/],
    [['render', 'no-such-preset'], /neither a preset/],
    [['render', 'seed-002-captcha', '--count', '0', '--out-dir', '{dir}/b'], /--count: must be a whole number from 1/],
    [['render', 'seed-002-captcha', '--count', '2', '--out-dir', '{dir}/b', '--height', '0'], /height: must be at least 1/],
    [['render', 'seed-002-captcha', '--count', '5'], /--count and --out-dir go together/],
    [['render', 'seed-002-captcha', '--bogus'], /Unknown option/],
  ])('%j fails with exit code 2, one clear line, and writes nothing', async (args, message) => {
    const dir = tmp();
    const extra = args.includes('--count') ? [] : ['--out', join(dir, 'x.png')];
    const r = await run(...args.map((a) => a.replace('{dir}', dir)), ...extra);
    expect(r.code).toBe(2);
    expect(r.err.split('\n')[0]).toMatch(message);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reports a corrupt design file with its path and leaves it untouched', async () => {
    const dir = tmp();
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{"width": 100, "hei');
    const r = await run('render', file, '--out', join(dir, 'x.png'));
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}: is not valid JSON`);
    expect(readFileSync(file, 'utf8')).toBe('{"width": 100, "hei');
    expect(readdirSync(dir)).toEqual(['broken.json']);
  });

  it('lists presets and fonts', async () => {
    expect((await run('presets')).out).toMatch(/seed-000-background\s+background\s+1024x768/);
    expect((await run('fonts')).out).toContain('Droid Sans Fallback');
  });

  it('serve prints its address, serves, and stops cleanly on SIGTERM', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['src-main/bin/captcha-studio.mjs', 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    const health = await fetch(`${url}/healthz`);
    expect(await health.json()).toMatchObject({ ok: true });
    const img = await fetch(`${url}/get_validCode_img`);
    expect(decodePng(Buffer.from(await img.arrayBuffer())).width).toBe(270);
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', resolve);
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
  });

  it('serve refuses bad options with exit code 2', async () => {
    for (const args of [['--port', '70000'], ['--port', 'x'], ['--ttl', '0'], ['--cors', 'not an origin'], ['--designs', '/no/such/dir'], ['--secret', 'too short'], ['--captcha-design', 'no-such-design'], ['--captcha-design', 'sunset-background']]) {
      const r = await (async () => {
        let err = '';
        const code = await main(['serve', ...args], { out: () => {}, err: (s) => (err += s), isTTY: false });
        return { code, err };
      })();
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err.split('\n')[0]).toMatch(new RegExp(args[0]));
    }
  });

  it('serve takes the secret from CAPTCHA_STUDIO_SECRET and names it when it is too short', async () => {
    process.env.CAPTCHA_STUDIO_SECRET = 'short';
    try {
      let err = '';
      const code = await main(['serve', '--port', '0'], { out: () => {}, err: (s) => (err += s), isTTY: false });
      expect(code).toBe(2);
      expect(err.split('\n')[0]).toBe('error: CAPTCHA_STUDIO_SECRET: must be at least 32 characters (for example: openssl rand -base64 32)');
    } finally {
      delete process.env.CAPTCHA_STUDIO_SECRET;
    }
  });

  it('runs as the installed bin in plain Node', async () => {
    const dir = tmp();
    const out = execFileSync(process.execPath, ['src-main/bin/captcha-studio.mjs', 'render', 'seed-002-captcha', '--out', join(dir, 'c.png')], { encoding: 'utf8' });
    expect(out).toMatch(/answer: [A-Za-z0-9]{5}/);
    expect(decodePng(readFileSync(join(dir, 'c.png'))).width).toBe(270);
  });
});
