/**
 * Load and soak: runs `captcha-studio serve` in its own process on loopback and
 * drives it at high concurrency with a mix of captcha issue + verify, seeded
 * (cacheable) and random backgrounds, and bad requests that must be refused.
 * Reports req/s, latency percentiles, errors by type and the server's RSS over
 * time; exits 1 if any request got an answer it should not have, or if RSS grew
 * by more than the allowed share after warm-up.
 *
 * With `--store redis://HOST:PORT/DB` it runs two servers sharing that Redis (and one
 * secret), as two instances behind a load balancer: every captcha is issued by one
 * and verified on the other, its replay tried on either, and the other requests go
 * to either. Its figure is its own section of BENCHMARKS.md, beside the in-memory one.
 *
 * With `--processes N` each server is N HTTP processes (`serve --no-studio --processes N`):
 * connections land on any of them, so verifies and replays cross processes.
 *
 *   npm run soak -- [--duration 120] [--warmup S] [--concurrency 64] [--max-growth 0.2] [--store redis://…] [--processes N] [--json] [--write]
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';
import { writeBenchSection } from './report.ts';

const { values: v } = parseArgs({
  options: {
    duration: { type: 'string', default: '120' },
    warmup: { type: 'string' },
    concurrency: { type: 'string', default: '64' },
    'max-growth': { type: 'string', default: '0.2' },
    samples: { type: 'string', default: '20' },
    store: { type: 'string' },
    processes: { type: 'string' },
    json: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
  },
});
const STORE = v.store && v.store !== 'memory' ? v.store : undefined;
if (STORE !== undefined && !/^rediss?:\/\//.test(STORE)) throw new Error('--store: must be memory or redis://HOST:PORT/DB');
/** `--processes N`: the server as N HTTP processes (`serve --no-studio --processes N`), so issues, verifies and replays land on different ones. */
const PROCESSES = v.processes === undefined ? 1 : Number(v.processes);
if (!Number.isInteger(PROCESSES) || PROCESSES < 1 || PROCESSES > 64) throw new Error('--processes: must be a whole number from 1 to 64');
const DURATION = Number(v.duration) * 1000;
const WARMUP = v.warmup !== undefined ? Number(v.warmup) * 1000 : Math.min(60_000, Math.max(5_000, DURATION * 0.2));
const CONCURRENCY = Number(v.concurrency);
const MAX_GROWTH = Number(v['max-growth']);
for (const [name, n] of [['duration', DURATION], ['warmup', WARMUP], ['concurrency', CONCURRENCY]] as const)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name}: must be a positive number`);
if (WARMUP >= DURATION) throw new Error('--warmup: must be shorter than --duration');

// ---- the servers under test -----------------------------------------------------

const bin = new URL('../src-main/bin/captcha-studio.mjs', import.meta.url).pathname;

interface Served {
  child: ChildProcess;
  host: URL;
}

/** One `captcha-studio serve` process; with a shared store, every one gets the same secret. */
async function serve(extra: string[], env: NodeJS.ProcessEnv): Promise<Served> {
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--expose-answers', ...extra], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let serverLog = '';
  child.stderr!.on('data', (c) => (serverLog += c));
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c) => {
      out += c;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${serverLog}`)));
  });
  return { child, host: new URL(base) };
}

const sharedSecret = { CAPTCHA_STUDIO_SECRET: randomBytes(32).toString('base64url') };
const cluster = PROCESSES > 1 ? ['--no-studio', '--processes', String(PROCESSES)] : [];
const servers: Served[] = STORE ? await Promise.all([0, 1].map(() => serve(['--store', STORE, ...cluster], sharedSecret))) : [await serve(cluster, {})];

/**
 * Resident set size of the server and its render workers (child processes), in MiB:
 * the workers are where a leak in rendering would show. `ps` works on Linux and macOS.
 */
function rssMiB(): number {
  const rows = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,rss=']).toString().trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
  const tree = new Set(servers.map((s) => s.child.pid));
  let total = 0;
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of rows) {
      if (tree.has(ppid) && !tree.has(pid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  for (const [pid, , rss] of rows) if (tree.has(pid)) total += rss;
  return total / 1024;
}

// ---- requests --------------------------------------------------------------------

// Idle sockets are dropped after 4 s, before the server's 5 s keep-alive timeout closes them:
// reusing one the server is closing at that moment is a "socket hang up" of the client's
// making (undici's default is 4 s for the same reason). Two servers leave more sockets idle.
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY, timeout: 4000 });
interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request to one server: the given one, else any (a load balancer's pick). */
function send(method: string, path: string, opts: { headers?: Record<string, string>; body?: string; to?: Served } = {}): Promise<Reply> {
  const { host } = opts.to ?? pick(servers);
  return new Promise((resolve, reject) => {
    const body = opts.body === undefined ? undefined : Buffer.from(opts.body);
    const headers = { ...(body ? { 'Content-Length': String(body.length) } : {}), ...opts.headers };
    const req = request({ host: host.hostname, port: host.port, path, method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];
const json = (r: Reply) => JSON.parse(r.body.toString());

/** A unit of work: one or more requests, and what each must get back. Throws on a wrong answer. */
type Scenario = () => Promise<number>;
class Unexpected extends Error {}
function expectStatus(r: Reply, allowed: number[], what: string): void {
  if (r.status === 503 && r.headers['retry-after']) throw Object.assign(new Error('busy'), { busy: true });
  if (!allowed.includes(r.status)) throw new Unexpected(`${what}: got ${r.status} ${r.body.toString().slice(0, 120)}`);
}

const BAD: [string, string, { headers?: Record<string, string>; body?: string }, number][] = [
  ['GET', '/background.png?width=99999', {}, 400],
  ['GET', '/background.png?colour=red', {}, 400],
  ['GET', '/captcha.png?length=0', {}, 403],
  ['GET', '/designs/..%2F..%2Fetc%2Fpasswd.png', {}, 400],
  ['GET', '/designs/no-such-design.png', {}, 404],
  ['GET', '/nothing-here', {}, 404],
  ['PUT', '/api/captcha', {}, 405],
  ['POST', '/api/render', { headers: { 'Content-Type': 'application/json' }, body: '{"width":' }, 400],
  ['POST', '/api/render', { headers: { 'Content-Type': 'text/plain' }, body: 'hello' }, 415],
  ['POST', '/api/captcha/verify', { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ id: 'x'.repeat(22), answer: 'abc' }) }, 200],
  ['GET', '/healthz', { headers: { Host: 'evil.example' } }, 403],
  // Web mode's API: another origin is refused (403); with --processes web mode is off (404).
  ['POST', '/api/studio/publishDesign', { headers: { 'Content-Type': 'application/json', Origin: 'https://evil.example' }, body: '{"args":[{}]}' }, PROCESSES > 1 ? 404 : 403],
];

const SCENARIOS: Record<string, { weight: number; run: Scenario }> = {
  'captcha issue+verify': {
    weight: 25,
    run: async () => {
      // With two servers: issued by one, verified on the other, replayed on either.
      const [issuer, verifier] = servers.length > 1 ? (Math.random() < 0.5 ? servers : [...servers].reverse()) : [servers[0], servers[0]];
      const issued = await send('POST', '/api/captcha', { headers: { 'Content-Type': 'application/json' }, body: '{}', to: issuer });
      expectStatus(issued, [200], 'issue');
      const { id, answer } = json(issued);
      const ok = await send('POST', '/api/captcha/verify', { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ id, answer }), to: verifier });
      expectStatus(ok, [200], 'verify');
      if (json(ok).valid !== true) throw new Unexpected('verify: the right answer was refused');
      const again = await send('POST', '/api/captcha/verify', { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ id, answer }) });
      if (json(again).valid !== false) throw new Unexpected('verify: an id was accepted twice');
      return 3;
    },
  },
  'captcha image+wrong answer': {
    weight: 10,
    run: async () => {
      // The cookie is named after the issuing server's port: the form goes back to it.
      const to = pick(servers);
      const img = await send('GET', '/get_validCode_img', { to });
      expectStatus(img, [200], 'image');
      const cookie = String(img.headers['set-cookie']).split(';')[0];
      const r = await send('POST', '/api/captcha/verify', { headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie }, body: 'answer=wrong!', to });
      expectStatus(r, [200], 'verify');
      if (json(r).valid !== false) throw new Unexpected('verify: a wrong answer was accepted');
      return 2;
    },
  },
  'seeded background': {
    weight: 25,
    run: async () => {
      const r = await send('GET', `/background.png?width=${pick([320, 640, 1280])}&height=${pick([200, 480])}&seed=${Math.floor(Math.random() * 50)}`);
      expectStatus(r, [200], 'seeded');
      return 1;
    },
  },
  'random background': {
    weight: 15,
    run: async () => {
      const r = await send('GET', `/designs/${pick(['low-poly-background', 'bokeh-background', 'sunset-background'])}.${pick(['png', 'webp', 'jpg'])}?seed=random&width=${pick([200, 400])}&height=${pick([100, 300])}`);
      expectStatus(r, [200], 'random');
      return 1;
    },
  },
  'bad request': {
    weight: 25,
    run: async () => {
      const [method, path, opts, status] = pick(BAD);
      const r = await send(method, path, opts);
      expectStatus(r, [status], `${method} ${path}`);
      return 1;
    },
  },
};
const NAMES = Object.keys(SCENARIOS);
const TOTAL_WEIGHT = NAMES.reduce((s, n) => s + SCENARIOS[n].weight, 0);
function chooseScenario(): string {
  let x = Math.random() * TOTAL_WEIGHT;
  for (const n of NAMES) if ((x -= SCENARIOS[n].weight) < 0) return n;
  return NAMES[0];
}

// ---- the run ---------------------------------------------------------------------

interface Stats {
  runs: number;
  requests: number;
  busy: number;
  unexpected: number;
  latencies: number[];
}
const stats: Record<string, Stats> = Object.fromEntries(NAMES.map((n) => [n, { runs: 0, requests: 0, busy: 0, unexpected: 0, latencies: [] }]));
const failures = new Map<string, number>();
const samples: { t: number; rss: number; reqs: number }[] = [];
const started = performance.now();
const deadline = started + DURATION;
let requests = 0;

const sampleEvery = Math.max(1000, DURATION / Number(v.samples));
const sampler = setInterval(() => samples.push({ t: performance.now() - started, rss: rssMiB(), reqs: requests }), sampleEvery);
samples.push({ t: 0, rss: rssMiB(), reqs: 0 });

await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (performance.now() < deadline) {
      const name = chooseScenario();
      const s = stats[name];
      const t0 = performance.now();
      try {
        const n = await SCENARIOS[name].run();
        s.requests += n;
        requests += n;
        s.latencies.push((performance.now() - t0) / n);
      } catch (e) {
        if ((e as { busy?: boolean }).busy) s.busy++;
        else {
          s.unexpected++;
          const key = e instanceof Unexpected ? e.message : `${name}: ${(e as Error).message}`;
          failures.set(key, (failures.get(key) ?? 0) + 1);
        }
      }
      s.runs++;
    }
  }),
);
clearInterval(sampler);
const elapsed = (performance.now() - started) / 1000;
samples.push({ t: performance.now() - started, rss: rssMiB(), reqs: requests });
const healths = await Promise.all(servers.map((to) => send('GET', '/healthz', { to }).then((r) => ({ status: r.status, body: json(r) }), (e: Error) => ({ status: 0, body: e.message }))));
agent.destroy();
const exits = await Promise.all(
  servers.map(({ child }) => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    return exited;
  }),
);

// ---- verdict ---------------------------------------------------------------------

const pct = (xs: number[], p: number) => {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const all = NAMES.flatMap((n) => stats[n].latencies);
const afterWarmup = samples.filter((s) => s.t >= WARMUP);
const baseline = afterWarmup[0]?.rss ?? samples.at(-1)!.rss;
const peak = Math.max(...afterWarmup.map((s) => s.rss));
const growth = peak / baseline - 1;
const unexpected = NAMES.reduce((sum, n) => sum + stats[n].unexpected, 0);
const problems: string[] = [];
if (unexpected > 0) problems.push(`${unexpected} unexpected answers`);
if (growth > MAX_GROWTH) problems.push(`RSS grew ${(growth * 100).toFixed(1)}% after warm-up (allowed ${(MAX_GROWTH * 100).toFixed(0)}%)`);
healths.forEach((h, i) => h.status !== 200 && problems.push(`/healthz of server ${i + 1} answered ${h.status} at the end`));
exits.forEach((code, i) => code !== 0 && problems.push(`server ${i + 1} exited with ${code} on SIGTERM`));
for (const n of NAMES) if (stats[n].runs - stats[n].busy - stats[n].unexpected === 0) problems.push(`no successful "${n}"`);

const summary = {
  servers: servers.length,
  processes: PROCESSES,
  store: STORE ? 'redis' : 'memory',
  duration: elapsed,
  warmup: WARMUP / 1000,
  concurrency: CONCURRENCY,
  requests,
  reqPerSec: requests / elapsed,
  p50: pct(all, 50),
  p99: pct(all, 99),
  byType: Object.fromEntries(NAMES.map((n) => [n, { runs: stats[n].runs, requests: stats[n].requests, busy: stats[n].busy, unexpected: stats[n].unexpected, p50: pct(stats[n].latencies, 50), p99: pct(stats[n].latencies, 99) }])),
  failures: Object.fromEntries(failures),
  rss: { baseline, peak, growth, samples: samples.map((s) => ({ t: Math.round(s.t / 1000), mib: Math.round(s.rss), reqPerSec: 0 })) },
  ok: problems.length === 0,
  problems,
};
samples.forEach((s, i) => (summary.rss.samples[i].reqPerSec = i === 0 ? 0 : Math.round((s.reqs - samples[i - 1].reqs) / ((s.t - samples[i - 1].t) / 1000))));

const f1 = (x: number) => x.toFixed(1);
const lines = [
  `| scenario | runs | requests | p50 ms | p99 ms | busy (503) | unexpected |`,
  `| --- | --- | --- | --- | --- | --- | --- |`,
  ...NAMES.map((n) => {
    const s = summary.byType[n];
    return `| ${n} | ${s.runs} | ${s.requests} | ${f1(s.p50)} | ${f1(s.p99)} | ${s.busy} | ${s.unexpected} |`;
  }),
  `| **all** | | **${requests}** (${Math.round(summary.reqPerSec)} req/s) | ${f1(summary.p50)} | ${f1(summary.p99)} | | **${unexpected}** |`,
  '',
  `Server and worker RSS (MiB) every ${Math.round(sampleEvery / 1000)} s: ${summary.rss.samples.map((s) => `${s.t}s ${s.mib}`).join(', ')}.`,
  `After warm-up (${WARMUP / 1000} s): ${Math.round(baseline)} MiB → peak ${Math.round(peak)} MiB (${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)}%, limit +${(MAX_GROWTH * 100).toFixed(0)}%).`,
  failures.size ? `Unexpected answers: ${[...failures].map(([k, n]) => `${k} ×${n}`).join('; ')}.` : 'Unexpected answers: none.',
  `Verdict: ${summary.ok ? 'pass' : `FAIL (${problems.join('; ')})`}.`,
];

if (v.json) console.log(JSON.stringify(summary));
else console.log(lines.join('\n'));

if (v.write) {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const measured = `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; servers and load generator on the same machine, loopback only.`;
  const per = `${CONCURRENCY} keep-alive connections; latency per request, a scenario's time divided by its requests`;
  if (STORE) {
    // The store's address is not written: it may carry a password, and it says nothing about the figure.
    writeBenchSection(
      'soak-redis',
      'Soak: two servers sharing one Redis',
      [
        measured,
        `Command: \`npm run soak -- --store redis://HOST:PORT/DB --duration ${DURATION / 1000} --concurrency ${CONCURRENCY} --write\` (two \`captcha-studio serve --store … --expose-answers\` processes with one secret, default workers each, a local redis-server; each captcha issued by one server, verified on the other, its replay refused by either; ${per}). RSS is both servers and their workers; Redis's own is not counted.`,
        '',
        ...lines,
      ].join('\n'),
    );
  } else if (PROCESSES > 1) {
    writeBenchSection(
      'soak-processes',
      `Soak: one server as ${PROCESSES} HTTP processes`,
      [
        measured,
        `Command: \`npm run soak -- --processes ${PROCESSES} --duration ${DURATION / 1000} --concurrency ${CONCURRENCY} --write\` (server: \`captcha-studio serve --expose-answers --no-studio --processes ${PROCESSES}\`, the memory store; connections land on any process, so verifies and replays of a captcha cross processes; ${per}). RSS is the primary, the HTTP processes and their render workers.`,
        '',
        ...lines,
      ].join('\n'),
    );
  } else {
    writeBenchSection(
      'soak',
      'Soak: mixed load on the image server',
      [
        measured,
        `Command: \`npm run soak -- --duration ${DURATION / 1000} --concurrency ${CONCURRENCY} --write\` (server: \`captcha-studio serve --expose-answers\` in its own process, default workers; ${per}).`,
        '',
        ...lines,
      ].join('\n'),
    );
  }
}
process.exitCode = summary.ok ? 0 : 1;
