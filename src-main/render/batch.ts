/**
 * Batch export: `count` images of one design plus answers.csv, rendered in the
 * pool with several jobs in flight, reported as they finish, and cancellable.
 * Where the files go (a folder, a zip) is the caller's sink.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_DESIGNER_BATCH } from '../api.ts';
import type { Design } from '../core/design.ts';
import { MAX_SEED } from '../core/random.ts';
import { EXTENSION } from '../core/render.ts';
import { writeFileAtomic } from '../design-files.ts';
import type { RenderPool } from './pool.ts';
import type { RenderOutput } from './protocol.ts';

export interface BatchFile {
  name: string;
  bytes: Uint8Array;
}

/** Images per worker message for random designs (seeded ones need one seed each). */
const CHUNK = 8;

export function batchFileName(design: Pick<Design, 'name' | 'output'>, index: number, count: number): string {
  const base = design.name.replace(/[^\w.-]+/g, '-').replace(/^[.-]+/, '') || 'image';
  return `${base}-${String(index + 1).padStart(String(count).length, '0')}.${EXTENSION[design.output.format]}`;
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function answersCsv(rows: { file: string; answer: string | null }[]): string {
  return ['file,answer', ...rows.map((r) => `${csvField(r.file)},${csvField(r.answer ?? '')}`)].join('\n') + '\n';
}

export function checkBatchCount(count: unknown): number {
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_DESIGNER_BATCH) throw new RangeError(`count: must be a whole number from 1 to ${MAX_DESIGNER_BATCH}`);
  return count;
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
export async function renderBatch(
  pool: RenderPool,
  design: Design,
  count: number,
  sink: (file: BatchFile) => void | Promise<void>,
  opts: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): Promise<void> {
  const jobs: { start: number; n: number }[] = [];
  const per = design.seed === undefined ? CHUNK : 1;
  for (let i = 0; i < count; i += per) jobs.push({ start: i, n: Math.min(per, count - i) });
  const results = new Map<number, RenderOutput[]>();
  const rows: { file: string; answer: string | null }[] = [];
  let next = 0;
  let written = 0;
  let writing = Promise.resolve();
  const run = async (): Promise<void> => {
    while (next < jobs.length) {
      if (opts.signal?.aborted) throw new BatchCancelled();
      const job = jobs[next++];
      const seed = design.seed === undefined ? undefined : (design.seed + job.start) % (MAX_SEED + 1);
      results.set(job.start, await pool.renderMany(design, job.n, { seed }));
      // Files go to the sink in order, whichever job finished first.
      writing = writing.then(async () => {
        while (results.has(written)) {
          const items = results.get(written)!;
          results.delete(written);
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
      writing.catch(() => {}); // observed below; not an unhandled rejection meanwhile
    }
  };
  // Wait for both the renders and the writes, whichever fails first, so no error is left unobserved.
  let failure: unknown;
  await Promise.all(Array.from({ length: Math.min(pool.size, jobs.length) }, run)).catch((e) => (failure = e));
  await writing.catch((e) => (failure ??= e));
  if (failure !== undefined) throw failure;
  if (opts.signal?.aborted) throw new BatchCancelled();
  await sink({ name: 'answers.csv', bytes: Buffer.from(answersCsv(rows)) });
}

/**
 * Writes a batch into `dir`: everything goes to a hidden staging folder first and
 * is moved into place only when all of it succeeded, so a failure or a cancel
 * leaves nothing half-written behind.
 */
export async function exportBatchToFolder(
  pool: RenderPool,
  design: Design,
  count: number,
  dir: string,
  opts: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const staging = mkdtempSync(join(dir, '.captcha-studio-'));
  try {
    const names: string[] = [];
    await renderBatch(pool, design, count, (f) => {
      writeFileAtomic(join(staging, f.name), f.bytes);
      names.push(f.name);
    }, opts);
    for (const name of names) renameSync(join(staging, name), join(dir, name));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
