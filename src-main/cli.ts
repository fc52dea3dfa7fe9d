/**
 * captcha-studio: the command line. Runs in plain Node (no Electron).
 *   render <preset|design.json> --out FILE [--seed N] [--width W] [--height H] ...
 *   render <preset|design.json> --count N --out-dir DIR      (batch + answers.csv)
 *   serve [--port P] ...                                     (the image server and web mode)
 *   strength <preset|design.json> [--samples N] ...          (how easily machines read it)
 *   presets | fonts | --version; COMMAND --help for a command's own options
 * Exit codes: 0 done, 1 unexpected failure, 2 bad input (nothing written).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SERVER_PORT } from './api.ts';
import { parseDesign, type Design } from './core/design.ts';
import { fontRegistry } from './core/fonts.ts';
import type { StudioServer } from './server/server.ts';
import type { DesignSource } from './server/design-source.ts';
import { InputError } from './core/input-error.ts';
import { isCaptcha } from './core/naming.ts';
import { getPreset, listPresets } from './core/presets.ts';
import { MAX_SEED } from './core/random.ts';
import { loadImages, renderImage } from './core/render.ts';
import { FileWriteError, loadDesign, writeFileAtomic } from './files/design-files.ts';
import { renderBatchToFolder } from './batch/render-batch.ts';
import { checkTarget, TargetExistsError } from './batch/staged-folder.ts';
import { RenderPool } from './render/pool.ts';
import { STRENGTH_LINE, STRENGTH_OPTIONS, strengthCommand } from './strength/cli-command.ts';

const MAX_BATCH = 100_000;
/**
 * A batch is the user's own command, stopped with Ctrl-C: no per-image deadline
 * (the pool's default protects servers from hostile designs). setTimeout's limit.
 */
const NO_DEADLINE_MS = 2 ** 31 - 1;

class UsageError extends Error {}

const RENDER_LINES = `  captcha-studio render <preset|design.json> --out FILE [options]
  captcha-studio render <preset|design.json> --count N --out-dir DIR [options]`;
const SERVE_LINE = `  captcha-studio serve [--port P] [--host H] [--public-host NAME] [--studio-token TOKEN] [--designs DIR] [--cors ORIGIN] ...`;

const RENDER_OPTIONS = `render options:
  --seed N            fixed seed (0..${MAX_SEED}): same seed, same image; batches use N, N+1, ...
  --width W --height H --scale S    override the design's size (1..8192, 1..4)
  --format F          png | jpeg | webp (default: from --out's extension, else the design's)
  --quality Q         1..100 for jpeg/webp
  --compression C     PNG effort 0..9 (0 stores, 2 default, 9 smallest)
  --fonts DIR         also load the font files in DIR
  --replace           with --out-dir: swap an existing non-empty DIR for the new batch
  --json              print the result as JSON
`;

const SERVE_OPTIONS = `serve options:
  --port P            port to listen on (default ${DEFAULT_SERVER_PORT}; 0 picks any free port)
  --host H            address to bind (default 127.0.0.1). Any other address makes a production
                      server: captchas and images are public; web mode, the studio API and
                      POST /api/render are off unless --studio-token is given
  --public-host NAME  a Host name the server answers to (repeatable or comma-separated), e.g. the
                      name a reverse proxy forwards; requests addressed to it are production
                      requests. Bound to a network address without it, any Host is answered
  --studio-token T    enables web mode, the studio API and POST /api/render on a production
                      server for clients that present T (Authorization: Bearer T, or open
                      /studio/?token=T once); at least 32 characters. Or set CAPTCHA_STUDIO_TOKEN
  --production        production rules on loopback too (behind a proxy that rewrites Host)
  --designs DIR       serve the design files in DIR at /designs/NAME.png
  --secret S          signs variant URLs of the issuing routes (sig=) and seals captcha ids; at
                      least 32 characters. Or set CAPTCHA_STUDIO_SECRET. Random per run if unset
  --captcha-design N  the design /captcha.png and POST /api/captcha issue (default classic-captcha)
  --expose-answers    also send each captcha's answer in X-Captcha-Answer (end-to-end tests on
                      loopback only; refused on a production server)
  --cors ORIGIN       let pages from ORIGIN call the API
  --ttl SECONDS       how long an issued captcha stays valid (default 300)
  --store URL         where used captcha ids are kept: memory (default, this process) or
                      redis://HOST:PORT/DB, shared by servers with the same --secret so a captcha
                      issued by one verifies once on any. Or set CAPTCHA_STUDIO_STORE
  --case-sensitive    answers must match case (default: case is ignored)
  --workers N         render threads (default: one per core; with --processes, one per process)
  --processes N       N HTTP processes on the port, each drawing cheap captchas itself ("auto":
                      one per core; default 1). Verifies and audio reach the process that issued
                      the captcha. Needs --no-studio
  --no-studio         do not serve the designer at /studio/ (web mode)
`;

const USAGE = `usage:
${RENDER_LINES}
${SERVE_LINE}
${STRENGTH_LINE}
  captcha-studio presets            list built-in presets
  captcha-studio fonts              list available fonts
  captcha-studio --version          print the version
  captcha-studio COMMAND --help     a command's own options

${RENDER_OPTIONS}
${SERVE_OPTIONS}
${STRENGTH_OPTIONS}`;

const RENDER_USAGE = `usage:\n${RENDER_LINES}\n\n${RENDER_OPTIONS}`;
const SERVE_USAGE = `usage:\n${SERVE_LINE}\n\n${SERVE_OPTIONS}`;

/** Every command answers these before anything else, so `serve --help` never starts a server. */
const INFO_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

/** The package's version; read lazily, only --version needs it. */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Prints the command's usage or the version when asked; true when it did (exit 0). */
function answeredInfo(v: { help?: boolean; version?: boolean }, usage: string, io: Io): boolean {
  if (v.help) io.out(usage);
  else if (v.version) io.out(`${version()}\n`);
  return Boolean(v.help || v.version);
}

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  isTTY: boolean;
}

const defaultIo: Io = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  isTTY: Boolean(process.stderr.isTTY),
};

const FORMAT_BY_EXT: Record<string, Design['output']['format']> = { '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg', '.webp': 'webp' };

/** Applies command-line overrides through the design schema, so errors name the field. */
function applyOverrides(base: Design, v: Record<string, string | boolean | undefined>, outPath?: string): Design {
  const num = (s: string | boolean | undefined) => (typeof s === 'string' ? (s.trim() === '' ? NaN : Number(s)) : undefined);
  const d: Record<string, unknown> = structuredClone(base);
  for (const k of ['width', 'height', 'scale', 'seed'] as const) if (v[k] !== undefined) d[k] = num(v[k]);
  const output = { ...(d.output as object) } as Record<string, unknown>;
  const fromExt = outPath ? FORMAT_BY_EXT[extname(outPath).toLowerCase()] : undefined;
  if (v.format !== undefined) output.format = v.format;
  else if (fromExt) output.format = fromExt;
  if (v.quality !== undefined) output.quality = num(v.quality);
  if (v.compression !== undefined) output.compression = num(v.compression);
  d.output = output;
  return parseDesign(d);
}

function progress(io: Io, done: number, total: number): void {
  if (!io.isTTY) return;
  const width = 30;
  const filled = Math.round((done / total) * width);
  io.err(`\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total}${done === total ? '\n' : ''}`);
}

async function renderCommand(args: string[], io: Io): Promise<number> {
  const { values: v, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...INFO_OPTIONS,
      out: { type: 'string', short: 'o' },
      'out-dir': { type: 'string' },
      count: { type: 'string', short: 'n' },
      seed: { type: 'string' },
      width: { type: 'string' },
      height: { type: 'string' },
      scale: { type: 'string' },
      format: { type: 'string' },
      quality: { type: 'string' },
      compression: { type: 'string' },
      fonts: { type: 'string' },
      json: { type: 'boolean' },
      replace: { type: 'boolean' },
    },
  });
  if (answeredInfo(v, RENDER_USAGE, io)) return 0;
  if (positionals.length !== 1) throw new UsageError('render takes one preset name or design file');
  const batch = v.count !== undefined || v['out-dir'] !== undefined;
  if (batch && (v.count === undefined || v['out-dir'] === undefined)) throw new UsageError('--count and --out-dir go together');
  if (!batch && !v.out) throw new UsageError('--out FILE is required (or --count N --out-dir DIR for a batch)');
  if (batch && v.out) throw new UsageError('use either --out or --count/--out-dir, not both');
  if (v.replace && !batch) throw new UsageError('--replace goes with --out-dir');
  const fonts = v.fonts ? fontRegistry().addDir(v.fonts) : { loaded: [], failed: [] };
  for (const f of fonts.failed) io.err(`warning: skipped font ${f.error}\n`);
  const design = applyOverrides(loadDesign(positionals[0]), v, v.out);
  // Image layers in a design file may name files beside it. Loaded here for a batch
  // too (its workers load their own): a missing image fails before anything is written.
  const assetDir = getPreset(positionals[0]) ? undefined : dirname(resolve(positionals[0]));
  const images = await loadImages(design, assetDir);

  if (!batch) {
    const out = resolve(v.out!);
    if (existsSync(out) && statSync(out).isDirectory()) throw new UsageError(`--out: ${v.out} is a folder; give a file name`);
    const img = renderImage(design, { images });
    writeFileAtomic(out, img.bytes);
    const answer = img.challenge?.answer;
    if (v.json) io.out(JSON.stringify({ file: out, width: img.width, height: img.height, format: img.format, bytes: img.bytes.length, seed: img.seed, answer: answer ?? null }) + '\n');
    else io.out(`wrote ${v.out} (${img.width}x${img.height} ${img.format}, ${img.bytes.length} bytes, seed ${img.seed})${answer !== undefined ? `\nanswer: ${answer}` : ''}\n`);
    return 0;
  }

  const count = Number(v.count);
  if (!Number.isInteger(count) || count < 1 || count > MAX_BATCH) throw new UsageError(`--count: must be a whole number from 1 to ${MAX_BATCH}`);
  const dir = resolve(v['out-dir']!);
  const replace = Boolean(v.replace);
  // The batch appears all at once or not at all (renderBatchToFolder): an existing
  // empty DIR is replaced; a non-empty one is refused unless --replace. Checked
  // here too, so a refusal starts no workers.
  try {
    checkTarget(dir, replace);
    const pool = new RenderPool({ deadlineMs: NO_DEADLINE_MS });
    try {
      for (const f of fonts.loaded) pool.addFont(f.file);
      await renderBatchToFolder(pool, design, count, dir, { replace, assetDir, onProgress: (done, total) => progress(io, done, total) });
    } finally {
      await pool.close();
    }
  } catch (e) {
    if (!(e instanceof TargetExistsError)) throw e;
    const hint = e.reason === 'not-empty' ? '; choose a new folder, or pass --replace to swap it for the new batch' : '';
    throw new UsageError(`--out-dir: ${v['out-dir']} ${e.problem}${hint}`);
  }
  if (v.json) io.out(JSON.stringify({ dir, count, answers: join(dir, 'answers.csv') }) + '\n');
  else io.out(`wrote ${count} images and answers.csv to ${v['out-dir']}\n`);
  return 0;
}

/**
 * A secret from its option or, failing that, its environment variable (which keeps
 * it out of `ps` and shell history), checked with the error naming where it came from.
 */
function secretOption(value: string | undefined, option: string, env: string, check: (s: string, field: string) => string): string | undefined {
  const secret = value ?? (process.env[env] || undefined);
  return secret === undefined ? undefined : check(secret, value !== undefined ? option : env);
}

async function serveCommand(args: string[], io: Io): Promise<number> {
  const { values: v, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...INFO_OPTIONS,
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      designs: { type: 'string' },
      'expose-answers': { type: 'boolean' },
      cors: { type: 'string' },
      ttl: { type: 'string' },
      'case-sensitive': { type: 'boolean' },
      workers: { type: 'string' },
      'no-studio': { type: 'boolean' },
      'public-host': { type: 'string', multiple: true },
      'studio-token': { type: 'string' },
      production: { type: 'boolean' },
      secret: { type: 'string' },
      'captcha-design': { type: 'string' },
      store: { type: 'string' },
      processes: { type: 'string' },
    },
  });
  if (answeredInfo(v, SERVE_USAGE, io)) return 0;
  if (positionals.length) throw new UsageError(`serve takes no arguments (got "${positionals[0]}")`);
  const port = v.port === undefined ? DEFAULT_SERVER_PORT : Number(v.port);
  if (!/^\d+$/.test(v.port ?? '0') || port > 65535) throw new UsageError('--port: must be a whole number from 0 to 65535');
  const ttl = v.ttl === undefined ? 300 : Number(v.ttl);
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 86_400) throw new UsageError('--ttl: must be a whole number of seconds from 1 to 86400');
  if (v.designs && !(existsSync(v.designs) && statSync(v.designs).isDirectory())) throw new UsageError(`--designs: ${v.designs} is not a folder`);
  if (v.cors !== undefined && !/^https?:\/\/[^/\s]+$/.test(v.cors)) throw new UsageError('--cors: must be an origin such as http://localhost:3000');
  const workers = v.workers === undefined ? undefined : Number(v.workers);
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 1 || workers > 64)) throw new UsageError('--workers: must be a whole number from 1 to 64');
  const { CLUSTER_SECRET_ENV, ClusterLink, clusterRole, parseProcesses, runPrimary } = await import('./server/cluster.ts');
  const processes = parseProcesses(v.processes);
  if (processes > 1 && !v['no-studio']) throw new UsageError('--processes: above 1 needs --no-studio (the designer\'s jobs and published designs live in one process)');
  /** Set when this is one of a cluster's processes, started by the primary below. */
  const role = processes > 1 ? clusterRole() : null;
  const host = v.host ?? '127.0.0.1';
  const { createStudioServer } = await import('./server/server.ts');
  const { checkPublicHost, checkStudioToken, isLoopback, STUDIO_TOKEN_ENV } = await import('./server/access.ts');
  const publicHosts = (v['public-host'] ?? []).flatMap((h) => h.split(',')).map((h) => h.trim()).filter(Boolean);
  for (const h of publicHosts) checkPublicHost(h, '--public-host');
  const studioToken = secretOption(v['studio-token'], '--studio-token', STUDIO_TOKEN_ENV, checkStudioToken);
  const production = Boolean(v.production) || !isLoopback(host);
  if (v['expose-answers'] && (production || publicHosts.length)) {
    throw new UsageError(`--expose-answers: refused ${production ? `with --host ${host}${v.production ? ' --production' : ''}` : 'with --public-host'}: answers in headers on a server real visitors reach would defeat the captcha (it is for end-to-end tests on loopback)`);
  }
  if (v['expose-answers'] && !role) io.err('warning: --expose-answers sends every captcha answer in a header: for automated tests only\n');
  // The secret signs variant URLs and seals captcha ids.
  const { checkSecret, SECRET_ENV } = await import('./server/signing.ts');
  const secret = secretOption(v.secret, '--secret', SECRET_ENV, checkSecret);
  // From the environment too: a Redis URL may carry a password, kept out of `ps` that way.
  const { describeStore, parseStoreSpec, STORE_ENV } = await import('./server/store-spec.ts');
  const store = parseStoreSpec(v.store ?? process.env[STORE_ENV] ?? '', v.store !== undefined ? '--store' : STORE_ENV);
  if (store.kind === 'redis' && secret === undefined && !role) io.err(`warning: --store ${describeStore(store)} without --secret: no other server can verify this one's captchas (give every instance the same --secret)\n`);
  if (processes > 1 && !role) {
    // Checked here once, not by every process: a typo would print N errors.
    if (v['captcha-design'] !== undefined) {
      const { DesignSource } = await import('./server/design-source.ts');
      checkCaptchaDesign(new DesignSource(v.designs), v['captcha-design']);
    }
    // The primary: every process runs this command again; they must seal ids with one secret.
    const { randomSecret } = await import('./server/signing.ts');
    return runPrimary({ count: processes, env: secret === undefined ? { [CLUSTER_SECRET_ENV]: randomSecret() } : {}, err: (line) => io.err(line) });
  }
  const cluster = role ? new ClusterLink(role) : undefined;
  // The primary's secret for this run: read, then kept out of the render workers' environment.
  const clusterSecret = role ? process.env[CLUSTER_SECRET_ENV] : undefined;
  delete process.env[CLUSTER_SECRET_ENV];
  try {
    // Only the first process of a cluster speaks: one start message, not N.
    if (role && role.index > 0) io = { ...io, out: () => {} };
    const server = createStudioServer({
      secret: secret ?? clusterSecret,
      cluster,
      captchaDesign: v['captcha-design'],
      host,
      port,
      designsDir: v.designs,
      exposeAnswers: Boolean(v['expose-answers']),
      cors: v.cors,
      captchas: { ttlMs: ttl * 1000, ignoreCase: !v['case-sensitive'] },
      store: store.kind === 'redis' ? store.url : undefined,
      // A cluster's processes draw captchas themselves: one render worker each, for the rest.
      pool: { size: workers ?? (role ? 1 : undefined) },
      studio: !v['no-studio'],
      publicHosts,
      studioToken,
      production: Boolean(v.production),
    });
    // Checked before listening: a typo would otherwise turn every captcha request into an error.
    if (v['captcha-design'] !== undefined) checkCaptchaDesign(server.designs, v['captcha-design']);
    let address;
    try {
      address = await server.start();
    } catch (e) {
      io.err(`error: ${(e as Error).message}\n`);
      return 2;
    }
    // Listening for signals before saying where: whoever reads the URL may stop us at once.
    const stopped = new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        // A cluster's process gets Ctrl-C's SIGINT and then the primary's SIGTERM: the
        // second must not cut its draining short (the primary kills after a grace period).
        if (role) for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => {});
        void server.stop().then(resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      // The primary is gone (even by SIGKILL): no orphan server keeps the port.
      if (role) process.once('disconnect', stop);
    });
    io.out(`listening on ${address.url}\n`);
    if (role) io.out(`${role.count} HTTP processes (--processes), each drawing its own captchas\n`);
    const designer = designerLine(server, address.url);
    if (designer) io.out(`${designer}\n`);
    for (const line of server.accessSummary()) io.out(`${line}\n`);
    if (store.kind === 'redis') {
      const h = await server.store.health();
      io.out(`captcha store: ${describeStore(store)}, shared${h.available ? '' : ` (not reachable yet: captchas answer 503 until it is; ${h.error})`}\n`);
    }
    if (secret === undefined) io.out(`signed URLs: a random secret for this run (set --secret or ${SECRET_ENV} so your backend can sign variants and several servers can verify each other's captchas)\n`);
    await stopped;
    return 0;
  } finally {
    // A cluster process, on every way out (a bad option, a port in use, SIGTERM): the IPC
    // channel to the primary would keep it alive.
    if (cluster) {
      cluster.close();
      if (process.connected) process.disconnect();
    }
  }
}

/** `--captcha-design NAME`: a design the server knows, and a captcha. */
function checkCaptchaDesign(designs: Pick<DesignSource, 'get'>, name: string): void {
  if (!isCaptcha(designs.get(name, '--captcha-design'))) throw new UsageError(`--captcha-design: "${name}" is not a captcha (it has no random or math text)`);
}

/** Where the designer is, when this server serves it: the URL a newcomer opens next. */
function designerLine(server: Pick<StudioServer, 'webMode' | 'rendererDir' | 'access'>, url: string): string | undefined {
  if (!server.webMode) return undefined;
  const studio = `${url}/studio/`;
  if (server.access.productionBind) return `designer (web mode): ${studio} with the studio token (open /studio/?token=TOKEN once)`;
  // `npx captcha-studio serve` does not build the UI (`npm run serve` does): say so rather than let the link 404.
  return `designer (web mode): ${studio}${server.rendererDir ? '' : ' (the UI is not built yet: run npm run build, or use npm run serve)'}`;
}

function presetsCommand(io: Io): number {
  const list = listPresets();
  const w = Math.max(...list.map((p) => p.name.length));
  for (const p of list) io.out(`${p.name.padEnd(w)}  ${p.kind.padEnd(10)}  ${`${p.width}x${p.height}`.padEnd(9)}  ${p.description.split('. ')[0]}\n`);
  return 0;
}

function fontsCommand(io: Io): number {
  for (const f of fontRegistry().list()) io.out(`${f.family} (${f.subfamily}, ${f.weight}${f.italic ? ' italic' : ''})${f.cjk ? ' [CJK]' : ''}  ${f.source}\n`);
  return 0;
}

/** Runs one command line; returns the exit code. Errors are one line on stderr. */
export function main(argv: string[], io: Io = defaultIo): number | Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'serve':
        return serveCommand(rest, io).catch((e) => report(e, io));
      case 'render':
        return renderCommand(rest, io).catch((e) => report(e, io));
      case 'strength':
        return strengthCommand(rest, io).catch((e) => report(e, io));
      case 'presets':
        return presetsCommand(io);
      case 'fonts':
        return fontsCommand(io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return cmd === undefined ? 2 : 0;
      case 'version':
      case '--version':
      case '-v':
        io.out(`${version()}\n`);
        return 0;
      default:
        throw new UsageError(`unknown command "${cmd}"`);
    }
  } catch (e) {
    return report(e, io);
  }
}

/** Turns a failure into one line on stderr and an exit code; bugs are rethrown. */
function report(e: unknown, io: Io): number {
  // Bad input from any layer (the design schema, a design file, a server option's check).
  if (e instanceof InputError) {
    io.err(`error: ${e.message}\n`);
    return 2;
  }
  if (e instanceof UsageError || (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
    io.err(`error: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (e instanceof FileWriteError) {
    io.err(`error: ${e.message}\n`);
    return 1;
  }
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'ENOSPC' || code === 'EROFS' || code === 'ENOENT') {
    io.err(`error: cannot write: ${(e as Error).message}\n`);
    return 1;
  }
  throw e;
}
