/**
 * A real redis-server for the tests, on a free loopback port, nothing written to disk,
 * stopped after. Debian's package (`apt-get install redis-server`, which .ci/run does);
 * REDIS_SERVER_PATH names another binary. Tests skip with noRedis()'s line without one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { delimiter, join } from 'node:path';

function findRedisServer(): string | undefined {
  if (process.env.REDIS_SERVER_PATH) return existsSync(process.env.REDIS_SERVER_PATH) ? process.env.REDIS_SERVER_PATH : undefined;
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/sbin', '/usr/local/bin'];
  return dirs.map((d) => join(d, 'redis-server')).find((f) => existsSync(f));
}

export const REDIS_SERVER = findRedisServer();

/** Why the Redis tests cannot run here, or undefined when redis-server is there. */
export function noRedis(): string | undefined {
  if (REDIS_SERVER) return undefined;
  return 'no redis-server found: skipping the Redis store tests (Debian: apt-get install redis-server, or set REDIS_SERVER_PATH)';
}

/** A port free right now: bound to port 0, read, released (redis-server needs a real number). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** One PING over a raw socket: true when it answers +PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host: '127.0.0.1', port });
    let got = '';
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => done(false));
    sock.once('error', () => done(false));
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      got += d.toString();
      if (got.includes('\r\n')) done(got.startsWith('+PONG'));
    });
  });
}

export class RedisProcess {
  private child: ChildProcess | null = null;
  private log = '';

  private constructor(readonly port: number) {}

  /** Starts redis-server on a free port (a few tries, should another process take the port first). */
  static async start(): Promise<RedisProcess> {
    if (!REDIS_SERVER) throw new Error(noRedis());
    let last: unknown;
    for (let i = 0; i < 5; i++) {
      const r = new RedisProcess(await freePort());
      try {
        await r.run();
        return r;
      } catch (e) {
        last = e;
      }
    }
    throw last;
  }

  url(db = 0): string {
    return `redis://127.0.0.1:${this.port}/${db}`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** (Re)starts it on its port and waits until PING answers (10 s at most). */
  async run(): Promise<void> {
    if (this.child) return;
    this.log = '';
    const child = spawn(REDIS_SERVER!, ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout!.on('data', (c) => (this.log += c));
    child.stderr!.on('data', (c) => (this.log += c));
    let exited = false;
    child.once('exit', () => {
      exited = true;
      if (this.child === child) this.child = null;
    });
    const deadline = Date.now() + 10_000;
    while (!(await ping(this.port))) {
      if (exited) throw new Error(`redis-server on port ${this.port} exited: ${this.log.trim()}`);
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`redis-server on port ${this.port} did not answer PING within 10 s: ${this.log.trim()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Kills it (SIGKILL by default: a crash, no goodbye to clients) and waits until it is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child) return;
    if (child.exitCode !== null || child.signalCode !== null) return void (this.child = null);
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await gone;
    this.child = null;
  }

  stop(): Promise<void> {
    return this.kill('SIGTERM');
  }
}
