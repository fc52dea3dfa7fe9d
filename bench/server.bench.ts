/**
 * npm run bench:server [-- --rounds 6 --seconds 5 --no-write]
 *
 * Captcha Studio's server (`serve --processes` one per core, and the default single
 * HTTP process on the captcha route) against the seed views in Django + PIL (gunicorn, 2
 * workers) and, on the captcha route, against the Node captcha libraries as
 * servers (bench/peers: svg-captcha and trek-captcha, each a node cluster of 2) and
 * the ceiling (a node cluster of 2 sending a fixed PNG with an id and a Map insert).
 * Every server is loaded by wrk (1 thread, 16 connections) in alternating rounds,
 * the order rotating each round, so a machine whose load drifts (other jobs on a
 * shared box) loads every side alike: read the ratios, which come from one run.
 * Rows: the captcha route; seed 000's background with a distinct size near
 * 1920x1080 per request (as its page sends each visitor's window size: every one a
 * cache miss); the same background at one URL (cached). Then the studio server's
 * memory after 100k issued captchas (the rounds' own, topped up). Writes the table
 * to BENCHMARKS.md unless --no-write. Needs Debian's wrk and python3-pil; with
 * gunicorn and python3-django the Django side is the real seed app.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeBenchSection } from './report.ts';

const { values: v } = parseArgs({ options: { rounds: { type: 'string' }, seconds: { type: 'string' }, 'no-write': { type: 'boolean' }, only: { type: 'string' } } });
const ROUNDS = Number(v.rounds ?? 6);
const SECONDS = Number(v.seconds ?? process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 16;
/** `serve --processes`: one HTTP process per core, as the peers' clusters. */
const PROCESSES = cpus().length;
const MEMORY_AFTER = 100_000;
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

interface Run {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  bad: number;
}

const scripts = mkdtempSync(join(tmpdir(), 'wrk-'));
let scriptNo = 0;

/** Milliseconds from wrk's "1.23ms" / "850.00us" / "2.01s". */
function ms(v: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(v.trim());
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
}

/** What one wrk run asks for: a fixed path, or seed 000's URL with a size no earlier request used. */
type Load = { path: string } | { distinctSizes: true };

/** Sizes near 1920x1080, 320 x 180 of them; `sizesUsed` moves on by each run's requests, so none repeats in a run of the benchmark. */
let sizesUsed = 0;
const SIZE_SPACE = 320 * 180;

function wrk(base: string, load: Load, seconds = SECONDS): Run {
  const script = join(scripts, `r${scriptNo++}.lua`);
  writeFileSync(
    script,
    'path' in load
      ? `wrk.path = "${load.path}"\n`
      : `local i = ${sizesUsed}\nrequest = function()\n  i = i + 1\n  return wrk.format("GET", "/utils/genback/?width=" .. (1760 + i % 320) .. "&height=" .. (990 + math.floor(i / 320) % 180))\nend\n`,
  );
  const out = execFileSync('/usr/bin/wrk', ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--timeout', '10s', '--latency', '-s', script, base], { encoding: 'utf8' });
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const requests = num(/(\d+) requests in/);
  if (!('path' in load)) {
    sizesUsed += requests + CONNECTIONS;
    if (sizesUsed > SIZE_SPACE) throw new Error('the distinct sizes ran out: fewer rounds or seconds');
  }
  return {
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    p50: ms(/\n\s+50%\s+(\S+)/.exec(out)?.[1] ?? ''),
    p99: ms(/\n\s+99%\s+(\S+)/.exec(out)?.[1] ?? ''),
    requests,
    bad: (socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0) + num(/Non-2xx or 3xx responses: (\d+)/),
  };
}

/** A server's process and every process under it (render workers, cluster workers). */
function tree(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) for (const [p, pp] of parent) if (pp === out[i]) out.push(p);
  return out;
}

function rssMiB(pid: number): number {
  let kb = 0;
  for (const p of tree(pid)) {
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // gone meanwhile
    }
  }
  return kb / 1024;
}

interface Side {
  name: string;
  base: string;
  load: Load;
}

interface Row {
  name: string;
  sides: Side[];
  /** The studio's speed-up over Django this row must reach. */
  target: number;
  /** Ratios to these sides are reported with their own targets. */
  peers?: { side: string; target: number; what: string }[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Alternating rounds: each round loads every side once, the order rotating, so no side always gets the quieter seconds. */
function measure(row: Row): Map<string, Run[]> {
  const runs = new Map<string, Run[]>(row.sides.map((s) => [s.name, []]));
  for (const s of row.sides) wrk(s.base, s.load, 2); // warm: JIT, workers, the captcha stock
  for (let r = 0; r < ROUNDS; r++) {
    const order = row.sides.map((_, i) => row.sides[(i + r) % row.sides.length]);
    for (const s of order) runs.get(s.name)!.push(wrk(s.base, s.load));
    console.log(`${row.name}, round ${r + 1}: ${row.sides.map((s) => `${s.name} ${runs.get(s.name)!.at(-1)!.rps.toFixed(0)}`).join(', ')} req/s`);
  }
  return runs;
}

if (!existsSync('/usr/bin/wrk')) throw new Error('needs Debian package wrk');
/** Without Debian's gunicorn and python3-django, the seed views' PIL code runs behind a stdlib pre-fork stand-in (bench/peers/pil_views.py), and the table says so. */
const realDjango = existsSync('/usr/bin/gunicorn') && execFileSync('/usr/bin/python3', ['-c', 'import importlib.util as u; print(bool(u.find_spec("django")))'], { encoding: 'utf8' }).trim() === 'True';
const djangoWhat = realDjango ? 'Django 3.2 + Pillow 9.4 under gunicorn, 2 workers' : 'Django was not installed: "Django" is the seed views\' PIL code behind a stdlib pre-fork server of 2 processes, one request per connection as gunicorn\'s sync workers (bench/peers/pil_views.py), which skips Django\'s own request handling';
const PORTS = { studio: 7901, django: 7902, svg: 7903, trek: 7904, ceiling: 7905, studioOne: 7906 };
const url = (port: number) => `http://127.0.0.1:${port}`;
const loadBefore = loadavg()[0];
const servers: ChildProcess[] = [];
try {
  // An HTTP process per core, as the peers run (node clusters of 2) and as the README
  // says to deploy a busy captcha server; the default single HTTP process beside it.
  const studio = await start(process.execPath, ['src-main/bin/captcha-studio.mjs', 'serve', '--no-studio', '--processes', String(PROCESSES), '--port', String(PORTS.studio)], /listening on/);
  servers.push(studio);
  servers.push(await start(process.execPath, ['src-main/bin/captcha-studio.mjs', 'serve', '--no-studio', '--port', String(PORTS.studioOne)], /listening on/));
  servers.push(
    realDjango
      ? await start('/usr/bin/gunicorn', ['--workers', '2', '--bind', `127.0.0.1:${PORTS.django}`, '--chdir', 'bench/seed-baseline', 'django_app:application'], /Booting worker/)
      : await start('/usr/bin/python3', ['bench/peers/pil_views.py', String(PORTS.django), '2'], /Booting worker/),
  );
  for (const kind of ['svg', 'trek', 'ceiling'] as const) servers.push(await start(process.execPath, ['bench/peers/captcha-peers.mjs', '--kind', kind, '--port', String(PORTS[kind])], /listening on/));
  await new Promise((r) => setTimeout(r, 1500)); // let both gunicorn workers boot

  const captchaPath = { path: '/get_validCode_img' };
  const allRows: Row[] = [
    {
      name: 'captcha (`/get_validCode_img`; peers: their own captcha)',
      sides: [
        { name: 'studio', base: url(PORTS.studio), load: captchaPath },
        { name: 'studio, 1 HTTP process', base: url(PORTS.studioOne), load: captchaPath },
        { name: 'Django', base: url(PORTS.django), load: captchaPath },
        { name: 'svg-captcha', base: url(PORTS.svg), load: { path: '/captcha' } },
        { name: 'trek-captcha', base: url(PORTS.trek), load: { path: '/captcha' } },
        { name: 'ceiling', base: url(PORTS.ceiling), load: { path: '/captcha' } },
      ],
      target: 3,
      peers: [
        { side: 'svg-captcha', target: 1, what: 'ahead' },
        { side: 'trek-captcha', target: 1, what: 'ahead' },
        { side: 'ceiling', target: 0.5, what: '≥ 0.5x' },
      ],
    },
    {
      name: 'seed 000 background, a distinct size near 1920x1080 per request (uncached)',
      sides: [
        { name: 'studio', base: url(PORTS.studio), load: { distinctSizes: true } },
        { name: 'Django', base: url(PORTS.django), load: { distinctSizes: true } },
      ],
      target: 5,
    },
    {
      name: '1920x1080 background, cached (same URL)',
      sides: [
        { name: 'studio', base: url(PORTS.studio), load: { path: '/utils/genback/?width=1920&height=1080' } },
        { name: 'Django', base: url(PORTS.django), load: { path: '/utils/genback/?width=1920&height=1080' } },
      ],
      target: 50,
    },
  ];
  const rows = allRows.filter((r) => !v.only || r.name.includes(v.only));

  const results = rows.map((row) => ({ row, runs: measure(row) }));

  // Memory of `serve` after MEMORY_AFTER captchas: the rounds issued most of them.
  let issued = results.filter((r) => r.row.sides[0].load === captchaPath).flatMap((r) => r.runs.get('studio')!).reduce((n, x) => n + x.requests, 0) + (v.only ? 0 : CONNECTIONS);
  while (issued < MEMORY_AFTER) issued += wrk(url(PORTS.studio), captchaPath, Math.min(10, Math.max(2, Math.ceil((MEMORY_AFTER - issued) / 4000)))).requests;
  const rss = rssMiB(studio.pid!);
  const workersInTree = tree(studio.pid!).length;

  const f = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
  const table: string[] = [
    '| workload | side | req/s, median (rounds) | p50 / p99 ms (medians) | studio ÷ side | target | met |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  const verdicts: string[] = [];
  for (const { row, runs } of results) {
    const med = (side: string, k: keyof Run) => median(runs.get(side)!.map((x) => x[k]));
    const ours = med('studio', 'rps');
    for (const s of row.sides) {
      const rs = runs.get(s.name)!;
      const ratio = s.name === 'studio' ? null : ours / med(s.name, 'rps');
      let target = '';
      let met = '';
      if (s.name === 'Django') {
        const ok = ratio! >= row.target && med('studio', 'p99') < med('Django', 'p99');
        target = `≥ ${row.target}x, lower p99`;
        met = ok ? 'yes' : 'NO';
        verdicts.push(`${row.name} against Django: ${met}`);
      }
      const peer = row.peers?.find((p) => p.side === s.name);
      if (peer) {
        const ok = ratio! >= peer.target;
        target = peer.what;
        met = ok ? 'yes' : 'NO';
      }
      table.push(`| ${s === row.sides[0] ? row.name : ''} | ${s.name} | ${f(med(s.name, 'rps'))} (${rs.map((x) => x.rps.toFixed(0)).join(', ')}) | ${f(med(s.name, 'p50'))} / ${f(med(s.name, 'p99'))} | ${ratio === null ? '' : `${ratio.toFixed(2)}x`} | ${target} | ${met} |`);
    }
  }
  const bad = results.flatMap(({ runs }) => [...runs].map(([side, rs]) => [side, rs.reduce((n, x) => n + x.bad, 0)] as const)).filter(([, n]) => n > 0);
  const lines = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; 1-minute load average ${loadBefore.toFixed(1)} before the run and ${loadavg()[0].toFixed(1)} after (this benchmark's own load included). Studio: \`captcha-studio serve --no-studio --processes ${PROCESSES}\` (an HTTP process per core, each drawing its own captchas), otherwise default settings, and the same without \`--processes\` (one HTTP process, captchas drawn by its render workers) on the captcha route; ${djangoWhat}; svg-captcha 1.4, trek-captcha 0.4 and the ceiling: bench/peers/captcha-peers.mjs, a node cluster of 2 each. All on 127.0.0.1, load from wrk 4.1 (1 thread, ${CONNECTIONS} connections) in a process of its own.`,
    `Command: \`npm run bench:server\` (${ROUNDS} rounds of ${SECONDS} s per side and row after 2 s of warm-up each; every round loads each side once, the order rotating, so drift in the machine's load falls on all of them; medians over the rounds).`,
    '',
    ...table,
    '',
    `Errors or non-2xx answers: ${bad.length ? bad.map(([s, n]) => `${s} ${n}`).join(', ') : 'none'}.`,
    `Memory: \`serve\` and its ${workersInTree - 1} worker processes held ${rss.toFixed(0)} MiB RSS together after ${issued.toLocaleString('en-US')} captchas issued.`,
  ];
  console.log(lines.join('\n'));
  console.log(verdicts.join('\n'));
  if (!v['no-write'] && !v.only) writeBenchSection('server', 'Image server vs the seed views in Django and the Node captcha libraries', lines.join('\n'));
} finally {
  for (const s of servers) s.kill('SIGTERM');
  await Promise.all(servers.map((s) => new Promise((r) => (s.exitCode !== null || s.signalCode !== null ? r(null) : s.on('exit', r)))));
  rmSync(scripts, { recursive: true, force: true });
}
