/**
 * npm run bench:server — req/s, p50 and p99 at 16 connections on loopback, Captcha
 * Studio's server against the seed views in Django + PIL under gunicorn (2 workers),
 * in the same run. Load comes from wrk (one thread: it costs little CPU, which on a
 * 2-core machine is shared with both servers). Each load is bounded in time.
 * Writes BENCHMARKS.md. Needs Debian's wrk, python3-django, python3-pil, gunicorn.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { writeBenchSection } from './report.ts';

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 16;
const OURS = 7901;
const DJANGO = 7902;
const root = new URL('..', import.meta.url).pathname;

function start(cmd: string, args: string[], ready: RegExp, cwd = root): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    const check = (d: Buffer) => {
      seen += d;
      if (ready.test(seen)) resolve(child);
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.on('exit', (code) => reject(new Error(`${cmd} exited (${code}): ${seen.slice(-500)}`)));
  });
}

interface Row {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

const scripts = mkdtempSync(join(tmpdir(), 'wrk-'));
let scriptNo = 0;

/** Milliseconds from wrk's "1.23ms" / "850.00us" / "2.01s". */
function ms(v: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(v.trim());
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
}

async function load(base: string, path: string, distinctSeeds = false): Promise<Row> {
  const script = join(scripts, `r${scriptNo++}.lua`);
  // Each request its own seed: every one is a cache miss.
  writeFileSync(script, distinctSeeds ? `local i = 0\nrequest = function()\n  i = i + 1\n  return wrk.format("GET", "${path}" .. i)\nend\n` : `wrk.path = "${path}"\n`);
  const out = execFileSync('/usr/bin/wrk', ['-t1', `-c${CONNECTIONS}`, `-d${DURATION}s`, '--timeout', '10s', '--latency', '-s', script, base], { encoding: 'utf8' });
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    p50: ms(/\n\s+50%\s+(\S+)/.exec(out)?.[1] ?? ''),
    p99: ms(/\n\s+99%\s+(\S+)/.exec(out)?.[1] ?? ''),
    errors: socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
    non2xx: num(/Non-2xx or 3xx responses: (\d+)/),
  };
}

async function warm(base: string, path: string): Promise<void> {
  for (let i = 0; i < 20; i++) await fetch(base + path).then((r) => r.arrayBuffer());
}

if (!existsSync('/usr/bin/gunicorn') || !existsSync('/usr/bin/wrk')) throw new Error('needs Debian packages: apt-get install wrk python3-django python3-pil gunicorn');
const ours = await start(process.execPath, ['src-main/bin/captcha-studio.mjs', 'serve', '--port', String(OURS)], /listening on/);
const django = await start('/usr/bin/gunicorn', ['--workers', '2', '--bind', `127.0.0.1:${DJANGO}`, '--chdir', 'bench/seed-baseline', 'django_app:application'], /Booting worker/);
await new Promise((r) => setTimeout(r, 1500)); // let both gunicorn workers boot
const O = `http://127.0.0.1:${OURS}`;
const D = `http://127.0.0.1:${DJANGO}`;
try {
  await warm(O, '/captcha.png');
  await warm(D, '/get_validCode_img');
  const rows: [string, Row, Row, number][] = [];
  console.log('captcha...');
  rows.push(['captcha (`/get_validCode_img` on both)', await load(O, '/get_validCode_img'), await load(D, '/get_validCode_img'), 3]);
  console.log('1920x1080 uncached...');
  // Distinct seeds make every request a cache miss; seed 000's view has no cache to miss.
  rows.push(['1920x1080 background, uncached (distinct seeds)', await load(O, '/background.png?width=1920&height=1080&seed=', true), await load(D, '/utils/genback/?width=1920&height=1080'), 3]);
  console.log('1920x1080 cached...');
  rows.push(['1920x1080 background, cached (same URL)', await load(O, '/background.png?width=1920&height=1080'), await load(D, '/utils/genback/?width=1920&height=1080'), 50]);

  const f = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
  const lines = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; Django 3.2 + Pillow 9.4 under gunicorn 2 workers; both on 127.0.0.1, load from wrk 4.1 (1 thread) in a third process.`,
    `Command: \`npm run bench:server\` (${CONNECTIONS} connections, ${DURATION} s per row and side; both captcha rows hit \`/get_validCode_img\`, so both sides draw seed 002's image; the studio's also stores each answer).`,
    '',
    '| workload | studio req/s | studio p50 / p99 ms | Django req/s | Django p50 / p99 ms | speed-up | target | met |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(([name, o, d, target]) => {
      const x = o.rps / d.rps;
      const ok = x >= target && o.p99 < d.p99 && o.errors + o.non2xx === 0;
      return `| ${name} | ${f(o.rps)} | ${f(o.p50)} / ${f(o.p99)} | ${f(d.rps)} | ${f(d.p50)} / ${f(d.p99)} | ${x.toFixed(1)}x | ≥ ${target}x, lower p99 | ${ok ? 'yes' : 'NO'} |`;
    }),
    '',
    `Errors or non-2xx answers: studio ${rows.map((r) => r[1].errors + r[1].non2xx).join('/')}, Django ${rows.map((r) => r[2].errors + r[2].non2xx).join('/')}.`,
  ];
  writeBenchSection('server', 'Image server vs the seed views in Django', lines.join('\n'));
  console.log(lines.join('\n'));
} finally {
  ours.kill('SIGTERM');
  django.kill('SIGTERM');
}
