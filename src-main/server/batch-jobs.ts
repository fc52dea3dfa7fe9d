/**
 * Web mode's batch exports: each renders in the pool into a zip file in a temporary
 * folder of the server's own ("<tmpdir>/captcha-studio-batches-<pid>-XXXXXX", removed
 * when the server stops or the process exits, and by the next start after a kill),
 * kept until it expires. A batch whose zip would outgrow `maxJobBytes`, or take the
 * zips on disk past `maxDiskBytes`, fails with the limit it hit; its file is removed.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BatchProgress } from '../api.ts';
import { BatchCancelled, renderBatch } from '../batch/render-batch.ts';
import type { Design } from '../core/design.ts';
import { InputError } from '../core/input-error.ts';
import { fileSlug } from '../core/naming.ts';
import { makeOwnedTempDir, removeOwnedDir, removeStaleDirs } from '../files/owned-dirs.ts';
import type { RenderPool } from '../render/pool.ts';
import { ZipFileWriter } from './zip.ts';
import { humanBytes } from '../core/bytes.ts';

export interface BatchZipLimits {
  maxJobBytes: number;
  maxDiskBytes: number;
}

export const DEFAULT_BATCH_ZIP_LIMITS: Readonly<BatchZipLimits> = { maxJobBytes: 1024 * 1024 * 1024, maxDiskBytes: 2 * 1024 * 1024 * 1024 };
export const BATCH_DIR_PREFIX = 'captcha-studio-batches';
/**
 * What a zip adds beyond the data, rounded up so the count never falls short: per entry
 * (besides twice the name) local and central headers, timestamp and zip64 extras and the
 * data descriptor (30 + 46 + 2 x 9 + 36 + 24); once, the end records (22 + 56 + 20).
 */
const ZIP_ENTRY_OVERHEAD = 160;
const ZIP_END_OVERHEAD = 128;
const MAX_JOBS = 4;
export const NOT_KEPT = 'no such batch export (finished ones are kept for 10 minutes)';
const JOB_TTL_MS = 10 * 60_000;

export interface BatchJob {
  id: string;
  done: number;
  total: number;
  state: 'running' | 'done' | 'cancelled' | 'failed';
  error?: string;
  name: string;
  /** The zip being written, then the finished file; removed with the job. */
  writer?: ZipFileWriter;
  file?: string;
  /** Disk the job's zip takes (counted as images arrive, then the file's size). */
  bytes: number;
  controller: AbortController;
  finishedAt?: number;
}

export type BatchStatus = BatchProgress & { state: BatchJob['state']; error?: string; name: string };

export function jobStatus(j: BatchJob): BatchStatus {
  return { id: j.id, done: j.done, total: j.total, state: j.state, error: j.error, name: j.name };
}

/** Stops a job's zip and removes its file; the job no longer counts against the disk quota. */
function discardZip(j: BatchJob): void {
  j.writer?.abort();
  j.writer = undefined;
  if (j.file) rmSync(j.file, { force: true });
  j.file = undefined;
  j.bytes = 0;
}

export class BatchJobs {
  private readonly jobs = new Map<string, BatchJob>();
  readonly limits: BatchZipLimits;
  private zipDir?: string;
  private closed = false;

  constructor(
    private readonly pool: RenderPool,
    limits: Partial<BatchZipLimits> = {},
  ) {
    this.limits = { ...DEFAULT_BATCH_ZIP_LIMITS, ...limits };
    // Zip folders of servers that were killed (their pid is gone) are removed now.
    removeStaleDirs(tmpdir(), BATCH_DIR_PREFIX);
  }

  /** The job, or not-found (finished jobs expire). */
  get(id: string): BatchJob {
    const j = this.jobs.get(id);
    if (!j) throw new InputError('id', NOT_KEPT, { kind: 'not-found' });
    return j;
  }

  start(design: Design, count: number): BatchJob {
    this.prune();
    const { maxJobBytes, maxDiskBytes } = this.limits;
    const running = [...this.jobs.values()].filter((j) => j.state === 'running').length;
    if (running >= MAX_JOBS) throw new InputError('busy', 'too many batch exports are running, retry shortly', { kind: 'busy', retryAfter: 5 });
    // Room for the new job: the oldest finished jobs go first (their zips with them).
    for (const [id, j] of this.jobs) if (this.jobs.size >= MAX_JOBS * 2 && j.state !== 'running') this.drop(id);
    const id = randomUUID();
    const file = this.newZipPath(id);
    const writer = new ZipFileWriter(file);
    const job: BatchJob = { id, done: 0, total: count, state: 'running', name: `${fileSlug(design.name)}-batch.zip`, writer, file, bytes: ZIP_END_OVERHEAD, controller: new AbortController() };
    this.jobs.set(job.id, job);
    // A cancel stops the zip at once, even while it waits for a slow disk.
    job.controller.signal.addEventListener('abort', () => job.state === 'running' && writer.abort());
    renderBatch(this.pool, design, count, async (f) => {
      // Counted before the bytes are written, so no job can take the disk past the limits.
      const add = f.bytes.byteLength + 2 * Buffer.byteLength(f.name) + ZIP_ENTRY_OVERHEAD;
      if (job.bytes + add > maxJobBytes) throw new InputError('count', `a batch zip may be at most ${maxJobBytes} bytes (${humanBytes(maxJobBytes)}); export fewer or smaller images`, { kind: 'too-large' });
      const used = this.diskUsed();
      if (used + add > maxDiskBytes) {
        throw new InputError('disk', `batch zips on this server may take at most ${maxDiskBytes} bytes (${humanBytes(maxDiskBytes)}) together and the exports hold ${humanBytes(used)}; export fewer or smaller images, or retry when earlier ones expire`, { kind: 'too-large' });
      }
      job.bytes += add;
      await writer.add(f.name, f.bytes);
    }, { signal: job.controller.signal, onProgress: (done) => (job.done = done) })
      .then(() => writer.finish())
      .then(
        (size) => {
          job.writer = undefined;
          // Dropped (pruned, server stopped) while finishing: its file is not kept.
          if (this.jobs.get(job.id) !== job) return discardZip(job);
          job.bytes = size;
          job.state = 'done';
          job.finishedAt = Date.now();
        },
        (e: Error) => {
          job.state = e instanceof BatchCancelled || job.controller.signal.aborted ? 'cancelled' : 'failed';
          const code = (e as NodeJS.ErrnoException).code;
          if (job.state === 'failed') {
            job.error = e instanceof InputError ? e.message : code ? `disk: the batch zip could not be written (${code})` : `render failed: ${e.message}`;
          }
          discardZip(job);
          job.finishedAt = Date.now();
        },
      );
    return job;
  }

  /** Forgets a job and removes its zip (a running one is cancelled first). */
  drop(id: string): void {
    const j = this.jobs.get(id);
    if (!j) return;
    this.jobs.delete(id);
    j.controller.abort();
    discardZip(j);
  }

  /** Cancels every job and removes the zips (a download in progress keeps its open file on POSIX). */
  close(): void {
    this.closed = true;
    for (const id of [...this.jobs.keys()]) this.drop(id);
    if (this.zipDir) removeOwnedDir(this.zipDir);
  }

  /** Where this server's zips go; made on the first batch. */
  private newZipPath(id: string): string {
    if (this.closed) throw new InputError('busy', 'the server is stopping', { kind: 'busy', retryAfter: 5 });
    this.zipDir ??= makeOwnedTempDir(BATCH_DIR_PREFIX);
    return join(this.zipDir, `${id}.zip`);
  }

  /** Disk the batch zips take now: running jobs as counted so far, finished ones by their size. */
  private diskUsed(): number {
    let n = 0;
    for (const j of this.jobs.values()) n += j.bytes;
    return n;
  }

  private prune(now = Date.now()): void {
    for (const [id, j] of this.jobs) if (j.finishedAt !== undefined && now - j.finishedAt > JOB_TTL_MS) this.drop(id);
  }
}
