/**
 * How the pool talks to one render worker, whether it is a thread or a child
 * process: post a message, hear replies, learn how it ended, stop it. The
 * messages are the same either way (protocol.ts), so the worker does not care.
 *
 * Threads share the pool's process: a native crash in Skia (SIGSEGV, SIGILL)
 * takes everything down with it. A child process dies alone; the pool sees its
 * signal and starts another one.
 */
import { fork, type ChildProcess, type Serializable } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FromWorker, ToWorker } from './protocol.ts';

export type Isolation = 'process' | 'thread';

/** How a worker ended. */
export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** An uncaught error in a thread, or a process that could not be started. */
  error?: Error;
}

/** `In` is what the worker is sent, `Out` what it answers: the render protocol by default, the strength check's for its process. */
export interface WorkerTransport<In = ToWorker, Out = FromWorker> {
  /** The worker's OS process id; undefined for a thread, which shares the pool's process. */
  readonly pid: number | undefined;
  /**
   * `transfer` moves buffers to a thread instead of copying them; a process always gets a copy.
   * False: the worker is already gone (its exit is reported separately) and the message was dropped.
   */
  post(msg: In, transfer?: ArrayBuffer[]): boolean;
  onMessage(fn: (msg: Out) => void): void;
  /** Called once, however the worker ended (including kill()). */
  onExit(fn: (how: WorkerExit) => void): void;
  /** Stops the worker at once (SIGKILL, or terminate() for a thread); resolves when it is gone. */
  kill(): Promise<void>;
  /** Whether the worker keeps the pool's process alive: yes while it runs a job, no while idle. */
  hold(held: boolean): void;
}

/** Source (.ts, compiled as it loads: bin/source-mode.mjs) in development, tests and the CLI; the built bundle next to it otherwise. */
export function workerEntry(): URL {
  if (import.meta.url.endsWith('.ts')) return new URL('./worker-bootstrap.mjs', import.meta.url);
  return new URL('./render-worker.js', import.meta.url);
}

export function spawnWorker<In = ToWorker, Out = FromWorker>(isolation: Isolation, entry: URL = workerEntry()): WorkerTransport<In, Out> {
  return isolation === 'process' ? processTransport(entry) : threadTransport(entry);
}

function threadTransport<In, Out>(entry: URL): WorkerTransport<In, Out> {
  const w = new Worker(entry);
  let error: Error | undefined;
  let exited = false;
  const gone = new Promise<void>((done) => w.once('exit', () => ((exited = true), done())));
  w.on('error', (e) => (error = e)); // 'exit' follows; the error says why
  return {
    pid: undefined,
    post: (msg, transfer) => {
      if (exited) return false;
      w.postMessage(msg, transfer);
      return true;
    },
    onMessage: (fn) => void w.on('message', fn),
    onExit: (fn) => void w.once('exit', (code) => fn({ code, signal: null, error })),
    kill: async () => {
      if (!exited) await w.terminate();
      await gone;
    },
    hold: (held) => (held ? w.ref() : w.unref()),
  };
}

/**
 * The child's side of processTransport, for a worker started as a process: its sender, and
 * the rule that it ends with its parent. A parent that went away mid-send is no error worth
 * a stack trace, and once the channel closes (the parent stopped, even by SIGKILL) nothing
 * this process would still compute has anyone to go to.
 */
export function parentChannel<Out>(worker: string, starter: string): (m: Out) => void {
  if (!process.send) throw new Error(`the ${worker} must be started by ${starter}`);
  process.on('disconnect', () => process.exit(0));
  return (m) => void (process.connected && process.send!(m as Serializable, undefined, undefined, (e) => e && process.exit(0)));
}

function processTransport<In, Out>(entry: URL): WorkerTransport<In, Out> {
  // Advanced serialization (the structured clone threads use) so Uint8Arrays arrive as bytes, not JSON.
  // No inherited execArgv: the parent may run under a test runner or source mode's loader; the
  // worker's own entry loads what it needs. In Electron, fork() runs the file as plain Node.
  const child: ChildProcess = fork(fileURLToPath(entry), [], {
    serialization: 'advanced',
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let exit: WorkerExit | null = null;
  const exitFns: ((how: WorkerExit) => void)[] = [];
  const ended = (how: WorkerExit) => {
    if (exit) return;
    exit = how;
    for (const fn of exitFns) fn(how);
  };
  const gone = new Promise<void>((done) => exitFns.push(() => done()));
  // 'close', not 'exit': it comes after the IPC channel is drained, so no reply arrives after the death is reported.
  child.once('close', (code, signal) => ended({ code, signal }));
  const hold = (held: boolean) => {
    if (held) {
      child.ref();
      child.channel?.ref();
    } else {
      child.unref();
      child.channel?.unref();
    }
  };
  child.on('error', (e) => {
    // Could not be started: 'close' never follows.
    if (child.pid === undefined) ended({ code: null, signal: null, error: e });
    // Otherwise a failed send or kill: 'close' reports the death, if there was one.
  });
  return {
    pid: child.pid,
    post: (msg) => {
      if (!child.connected) return false;
      // A send that fails later means the worker died meanwhile: 'close' reports that.
      child.send(msg as Serializable, (err) => void err);
      return true;
    },
    onMessage: (fn) => void child.on('message', fn as (m: unknown) => void),
    onExit: (fn) => {
      if (exit) fn(exit);
      else exitFns.push(fn);
    },
    kill: async () => {
      if (!exit) {
        // Held until it is gone: an unref'd child's exit would not keep this process waiting for it.
        hold(true);
        child.kill('SIGKILL');
      }
      await gone;
    },
    hold,
  };
}
