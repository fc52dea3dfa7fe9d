/**
 * npm run bench:server-ab -- --base REV [--rounds 3] [--seconds 8] [--only captcha|background|cached] [--processes N]
 *
 * This tree's server against the same server at an earlier commit, side by side on
 * this machine: both run `captcha-studio serve` in their own process on loopback, and
 * wrk loads them in alternating rounds (A B A B …) so drift in the machine's load
 * falls on both. Reports the median req/s and p99 per workload and the ratio, and
 * the CPU each server (its HTTP process, its render workers) spent per request: on a
 * machine other jobs load, req/s follows the share of the cores a side gets, CPU
 * per request much less. The
 * earlier commit is checked out into a temporary git worktree that shares this
 * tree's node_modules. Needs Debian's wrk. Writes BENCHMARKS.md with --write.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeBenchSection } from './report.ts';

const { values: v } = parseArgs({ options: { base: { type: 'string' }, rounds: { type: 'string' }, seconds: { type: 'string' }, write: { type: 'boolean' }, only: { type: 'string' }, processes: { type: 'string' } } });
if (!v.base) throw new Error('usage: npm run bench:server-ab -- --base REV [--rounds N] [--seconds S] [--only captcha|background|cached] [--write]');
if (!existsSync('/usr/bin/wrk')) throw new Error('needs Debian package wrk');
const ROUNDS = Number(v.rounds ?? 3);
const SECONDS = Number(v.seconds ?? 8);
const CONNECTIONS = 16;
const root = new URL('..', import.meta.url).pathname;
const baseRev = execFileSync('git', ['rev-parse', '--short', v.base], { cwd: root, encoding: 'utf8' }).trim();
const headRev = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no', '--', '.', ':!BENCHMARKS.md'], { cwd: root, encoding: 'utf8' }).trim() !== '';

const tree = mkdtempSync(join(tmpdir(), 'server-ab-'));
execFileSync('git', ['worktree', 'add', '--detach', tree, baseRev], { cwd: root, stdio: 'ignore' });
symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'));

function serve(cwd: string, port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const args = ['src-main/bin/captcha-studio.mjs', 'serve', '--port', String(port), '--no-studio', ...(v.processes ? ['--processes', v.processes] : [])];
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    const check = (d: Buffer) => {
      seen += d;
      if (/listening on/.test(seen)) resolve(child);
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.on('exit', (code) => reject(new Error(`server in ${cwd} exited (${code}): ${seen.slice(-500)}`)));
  });
}

const scripts = mkdtempSync(join(tmpdir(), 'wrk-ab-'));
let n = 0;
/** Distinct sizes near 1920x1080 (seed 000's page sends each visitor's window size); the start moves on every run, so neither server sees a size twice. */
let sizeStart = 0;
/** Clock ticks per second of /proc's CPU times (USER_HZ): 100 on Linux. */
const TICKS_PER_S = 100;

/** CPU seconds used so far by a process (user + system), from /proc; NaN where there is no /proc. */
function cpuSeconds(pid: number): number {
  try {
    // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / TICKS_PER_S;
  } catch {
    return NaN;
  }
}

/** A process's children, from /proc; [] where there is none. */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return []; // no /proc: the CPU columns read NaN
  }
}

/**
 * The server's own CPU time and its render workers' (its child processes), in seconds.
 * With --processes the HTTP processes are the primary's children and their workers its
 * grandchildren: "http" is then the primary and its HTTP processes, "workers" the rest.
 */
function serverCpu(pid: number): { http: number; workers: number } {
  const kids = childrenOf(pid);
  if (!v.processes) return { http: cpuSeconds(pid), workers: kids.reduce((sum, k) => sum + cpuSeconds(k), 0) };
  const grandKids = kids.flatMap(childrenOf);
  return { http: cpuSeconds(pid) + kids.reduce((sum, k) => sum + cpuSeconds(k), 0), workers: grandKids.reduce((sum, k) => sum + cpuSeconds(k), 0) };
}

/**
 * One wrk run against a server; with its pid, also the CPU it spent per request
 * (µs), which depends far less than req/s on what else loads the machine.
 */
function wrk(url: string, path: string, distinct: boolean, seconds = SECONDS, pid?: number): { rps: number; p99: number; bad: number; httpUs: number; workerUs: number } {
  const script = join(scripts, `s${n++}.lua`);
  sizeStart += 5_000; // more than a run sends (8 s at 600 req/s): no size repeats within 44 runs
  writeFileSync(
    script,
    distinct
      ? `local i = ${sizeStart}\nrequest = function()\n  i = i + 1\n  return wrk.format("GET", "${path}width=" .. (1760 + i % 320) .. "&height=" .. (990 + math.floor(i / 320) % 700))\nend\n`
      : `wrk.path = "${path}"\n`,
  );
  const before = pid ? serverCpu(pid) : null;
  const out = execFileSync('/usr/bin/wrk', ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--timeout', '10s', '--latency', '-s', script, url], { encoding: 'utf8' });
  const after = pid ? serverCpu(pid) : null;
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const p99 = /\n\s+99%\s+([\d.]+)(us|ms|s)/.exec(out);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0),
    p99: p99 ? Number(p99[1]) * (p99[2] === 'us' ? 0.001 : p99[2] === 's' ? 1000 : 1) : NaN,
    bad: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0) + (socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0),
    httpUs: before && after && requests ? ((after.http - before.http) * 1e6) / requests : NaN,
    workerUs: before && after && requests ? ((after.workers - before.workers) * 1e6) / requests : NaN,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ALL_WORKLOADS: [string, string, boolean, string][] = [
  ['captcha (`/get_validCode_img`)', '/get_validCode_img', false, 'captcha'],
  ['seed 000 background, a distinct size near 1920x1080 per request (uncached)', '/utils/genback/?', true, 'background'],
  ['1920x1080 background, cached (same URL)', '/background.png?width=1920&height=1080', false, 'cached'],
];
// --only runs one workload: a step on one route is measured without waiting on the others.
const WORKLOADS = ALL_WORKLOADS.filter(([, , , tag]) => !v.only || tag === v.only);
if (!WORKLOADS.length) throw new Error(`--only: must be one of ${ALL_WORKLOADS.map((w) => w[3]).join(', ')}`);

const servers: ChildProcess[] = [];
try {
  const A = 'http://127.0.0.1:7911';
  const B = 'http://127.0.0.1:7912';
  servers.push(await serve(tree, 7911), await serve(root, 7912));
  // Warm both (JIT, worker start-up, the captcha stock): the first seconds of a fresh server are slower.
  for (const url of [A, B]) for (const [, path, distinct] of WORKLOADS) wrk(url, path, distinct, 3);
  const rows: string[] = [];
  for (const [name, path, distinct] of WORKLOADS) {
    const a: ReturnType<typeof wrk>[] = [];
    const b: ReturnType<typeof wrk>[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate which side goes first, so neither always gets the warmer machine.
      const [pa, pb] = [servers[0].pid, servers[1].pid];
      if (r % 2 === 0) {
        a.push(wrk(A, path, distinct, SECONDS, pa));
        b.push(wrk(B, path, distinct, SECONDS, pb));
      } else {
        b.push(wrk(B, path, distinct, SECONDS, pb));
        a.push(wrk(A, path, distinct, SECONDS, pa));
      }
      console.log(`${name} round ${r + 1}: ${baseRev} ${a.at(-1)!.rps.toFixed(0)} req/s, this tree ${b.at(-1)!.rps.toFixed(0)} req/s`);
    }
    const ra = median(a.map((x) => x.rps));
    const rb = median(b.map((x) => x.rps));
    const cpu = (xs: ReturnType<typeof wrk>[]) => `${median(xs.map((x) => x.httpUs)).toFixed(0)} + ${median(xs.map((x) => x.workerUs)).toFixed(0)}`;
    const cpuRatio = median(a.map((x) => x.httpUs + x.workerUs)) / median(b.map((x) => x.httpUs + x.workerUs));
    rows.push(`| ${name} | ${ra.toFixed(0)} (${a.map((x) => x.rps.toFixed(0)).join(', ')}) | ${median(a.map((x) => x.p99)).toFixed(1)} | ${cpu(a)} | ${rb.toFixed(0)} (${b.map((x) => x.rps.toFixed(0)).join(', ')}) | ${median(b.map((x) => x.p99)).toFixed(1)} | ${cpu(b)} | ${(rb / ra).toFixed(2)}x | ${cpuRatio.toFixed(2)}x | ${a.reduce((s, x) => s + x.bad, 0)} / ${b.reduce((s, x) => s + x.bad, 0)} |`);
  }
  const lines = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; both servers \`captcha-studio serve --no-studio${v.processes ? ` --processes ${v.processes}` : ''}\` with default workers on 127.0.0.1, wrk 4.1 (1 thread, ${CONNECTIONS} connections, ${SECONDS} s a round), ${ROUNDS} alternating rounds each after 3 s of warm-up per workload${v.only ? ` (only ${v.only})` : ''}.`,
    `Command: \`npm run bench:server-ab -- --base ${baseRev} --rounds ${ROUNDS} --seconds ${SECONDS}${v.only ? ` --only ${v.only}` : ''}${v.processes ? ` --processes ${v.processes}` : ''}\` (this tree: ${headRev}${dirty ? ' with uncommitted changes' : ''}).`,
    '',
    `| workload | ${baseRev} req/s, median (rounds) | p99 ms | CPU µs/request, HTTP + workers | this tree req/s, median (rounds) | p99 ms | CPU µs/request, HTTP + workers | ratio | CPU ratio (${baseRev} / this tree) | errors/non-2xx |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ];
  console.log(lines.join('\n'));
  if (v.write) writeBenchSection(`server-ab-${baseRev}`, `Server, this tree against ${baseRev}`, lines.join('\n'));
} finally {
  for (const s of servers) s.kill('SIGTERM');
  await Promise.all(servers.map((s) => new Promise((r) => (s.exitCode !== null ? r(null) : s.on('exit', r)))));
  execFileSync('git', ['worktree', 'remove', '--force', tree], { cwd: root, stdio: 'ignore' });
  rmSync(scripts, { recursive: true, force: true });
}
