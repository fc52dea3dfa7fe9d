/**
 * Batch export: `count` images of one design plus answers.csv, rendered in the
 * pool with several jobs in flight, reported as they finish, and cancellable.
 * The one batch path of the CLI, the desktop and web mode; where the files go
 * (a folder, a zip) is the caller's sink.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { batchCountSchema } from '../api.ts';
import type { Design } from '../core/design.ts';
import { InputError } from '../core/input-error.ts';
import { EXTENSION, fileSlug } from '../core/naming.ts';
import { MAX_SEED } from '../core/random.ts';
import { writeFolderAtomically, writeStagedFile, type StagedFolderOptions } from './staged-folder.ts';
import type { RenderPool } from '../render/pool.ts';
import type { RenderOutput } from '../render/protocol.ts';

export interface BatchFile {
  name: string;
  bytes: Uint8Array;
}

/** At most this many images per worker message (random designs; seeded ones need one seed each). */
const CHUNK = 32;
/**
 * Device pixels per worker message: several small images share one message round
 * trip, which costs about as much as rendering one; a large image is its own job,
 * so the batch spreads over every worker from the start.
 */
const CHUNK_PIXELS = 2 ** 18;

/** Images per job: as many as CHUNK and CHUNK_PIXELS allow, and no more than keeps every worker busy. */
function imagesPerJob(design: Design, count: number, workers: number): number {
  if (design.seed !== undefined) return 1;
  const pixels = design.width * design.height * design.scale ** 2;
  return Math.max(1, Math.min(CHUNK, Math.floor(CHUNK_PIXELS / pixels), Math.ceil(count / workers)));
}

export function batchFileName(design: Pick<Design, 'name' | 'output'>, index: number, count: number): string {
  return `${fileSlug(design.name)}-${String(index + 1).padStart(String(count).length, '0')}.${EXTENSION[design.output.format]}`;
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function answersCsv(rows: { file: string; answer: string | null }[]): string {
  return ['file,answer', ...rows.map((r) => `${csvField(r.file)},${csvField(r.answer ?? '')}`)].join('\n') + '\n';
}

/** A designer batch's count from outside, by the contract's rule (api.ts). */
export function checkBatchCount(count: unknown): number {
  const r = batchCountSchema.safeParse(count);
  if (!r.success) throw new InputError('count', r.error.issues[0].message);
  return r.data;
}

export class BatchCancelled extends Error {
  constructor() {
    super('the batch export was cancelled');
  }
}

/**
 * Renders the batch and hands each file to `sink` in order, then answers.csv.
 * Seeded designs use seed, seed+1, ... so a batch is reproducible.
 */
export interface BatchOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** Where image layers' relative file names are resolved (a design file's folder). */
  assetDir?: string;
}

export async function renderBatch(pool: RenderPool, design: Design, count: number, sink: (file: BatchFile) => void | Promise<void>, opts: BatchOptions = {}): Promise<void> {
  const jobs: { start: number; n: number }[] = [];
  const per = imagesPerJob(design, count, pool.size * 2);
  for (let i = 0; i < count; i += per) jobs.push({ start: i, n: Math.min(per, count - i) });
  const results = new Map<number, RenderOutput[]>();
  const rows: { file: string; answer: string | null }[] = [];
  let next = 0;
  let written = 0;
  let writing = Promise.resolve();
  // Rendered results wait in `results` for the sink. A slow sink (a zip on a slow
  // disk) holds the renders back instead of letting results pile up in memory:
  // workers wait while this many are waiting, and wake when the sink takes one.
  // Two jobs in flight per worker: its next one is already queued when it finishes,
  // instead of waiting for a message round trip through this process.
  const runners = Math.min(pool.size * 2, jobs.length);
  const maxWaiting = Math.max(2, runners * 2);
  const waiters: (() => void)[] = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  let sinkFailed = false;
  opts.signal?.addEventListener('abort', wake);
  const run = async (): Promise<void> => {
    while (next < jobs.length && !sinkFailed) {
      if (opts.signal?.aborted) throw new BatchCancelled();
      if (results.size >= maxWaiting) {
        await new Promise<void>((r) => waiters.push(r));
        continue;
      }
      const job = jobs[next++];
      const seed = design.seed === undefined ? undefined : (design.seed + job.start) % (MAX_SEED + 1);
      results.set(job.start, await pool.renderMany(design, job.n, { seed, assetDir: opts.assetDir }));
      // Files go to the sink in order, whichever job finished first.
      writing = writing.then(async () => {
        while (results.has(written)) {
          const items = results.get(written)!;
          results.delete(written);
          wake();
          for (const it of items) {
            if (opts.signal?.aborted) throw new BatchCancelled();
            const name = batchFileName(design, written, count);
            await sink({ name, bytes: it.bytes });
            rows.push({ file: name, answer: it.answer });
            written++;
            opts.onProgress?.(written, count);
          }
        }
      });
      // Observed below (not an unhandled rejection meanwhile); stops the renders now.
      writing.catch(() => {
        sinkFailed = true;
        wake();
      });
    }
  };
  // Wait for both the renders and the writes, whichever fails first, so no error is left unobserved.
  let failure: unknown;
  await Promise.all(Array.from({ length: runners }, run)).catch((e) => (failure = e));
  await writing.catch((e) => (failure ??= e));
  opts.signal?.removeEventListener('abort', wake);
  if (failure !== undefined) throw failure;
  if (opts.signal?.aborted) throw new BatchCancelled();
  await sink({ name: 'answers.csv', bytes: Buffer.from(answersCsv(rows)) });
}

/**
 * A batch as a new folder `target`, all at once or not at all (writeFolderAtomically,
 * see staged-folder.ts): rendered into a hidden staging folder beside it and moved
 * in with one rename, so a failure, a cancel or a kill leaves no partial batch (a
 * killed run's staging folder is removed by the next batch into the same target).
 * What the CLI's `render --count N --out-dir DIR` writes.
 */
export function renderBatchToFolder(pool: RenderPool, design: Design, count: number, target: string, opts: BatchOptions & StagedFolderOptions = {}): Promise<void> {
  return writeFolderAtomically(target, (staging) => renderBatch(pool, design, count, (f) => writeStagedFile(staging, f.name, f.bytes), opts), { replace: opts.replace });
}

/**
 * The desktop's batch export into a folder the user picked: the batch becomes one
 * new subfolder of it ("NAME-batch", or "NAME-batch-2", ... when taken), written
 * by renderBatchToFolder, so the picked folder is left as it was unless the batch
 * completes. Nothing the user already has is touched. Returns the new subfolder's path.
 */
export async function exportBatchToFolder(pool: RenderPool, design: Design, count: number, dir: string, opts: BatchOptions = {}): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const base = `${fileSlug(design.name)}-batch`;
  let target = join(dir, base);
  for (let i = 2; existsSync(target); i++) target = join(dir, `${base}-${i}`);
  await renderBatchToFolder(pool, design, count, target, opts);
  return target;
}
