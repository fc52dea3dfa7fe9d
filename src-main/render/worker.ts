// Render worker (a thread or a child process): renders designs with the core, off the main event loop.
import { createHash } from 'node:crypto';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { LRUCache } from 'lru-cache';
import { DesignError, type Design } from '../core/design.ts';
import { fontRegistry } from '../core/fonts.ts';
import { InputError } from '../core/input-error.ts';
import { fitText } from '../core/fit-text.ts';
import { legibilityWarnings } from '../core/legibility.ts';
import { encodePng, PREVIEW_PNG_EFFORT } from '../core/png.ts';
import { loadImages, renderDesign, renderImage, type ImageSet } from '../core/render.ts';
import { renderThumbnail } from '../core/thumbnail.ts';
import { parentChannel } from './transport.ts';
import { RAW_FILE_MIN_BYTES, rawFileName, type FromWorker, type RenderedItem, type RenderJob, type RenderReply, type ToWorker } from './protocol.ts';

/**
 * The pool, as a thread's parent port or a child process's IPC channel: the
 * only place that knows which. A process gets copies; a thread gets `transfer`.
 */
const pool = parentPort
  ? { post: postToThreadPool, on: (fn: (m: ToWorker) => void) => void parentPort!.on('message', fn) }
  : { post: parentChannel<FromWorker>('render worker', 'the render pool'), on: (fn: (m: ToWorker) => void) => void process.on('message', fn as (m: unknown) => void) };
/**
 * Moves the encoded bytes to the pool thread when it can. Some buffers cannot be
 * moved: on Node 22.23 the thread worker's replies were refused with DataCloneError
 * ("Cannot transfer object of unsupported type"; the transfer list is checked before
 * anything is detached), and the worker died. Those replies are copied instead.
 */
function postToThreadPool(m: FromWorker, transfer: ArrayBuffer[] = []): void {
  try {
    parentPort!.postMessage(m, transfer);
  } catch (e) {
    if ((e as Error).name !== 'DataCloneError' || transfer.length === 0) throw e;
    parentPort!.postMessage(m);
  }
}

/** Designs by key: the pool sends a design once, then only its key (and again if this worker has dropped it). */
const designs = new LRUCache<string, Design>({ max: 256 });

/**
 * Decoded image layers, by their sources: decoding is the slow part of an image
 * layer. Bounded by decoded bytes, since one image may be up to 33 MP (132 MB);
 * a set larger than half the cache is not kept, so it cannot flush all the others.
 */
const IMAGE_CACHE_BYTES = 256 * 2 ** 20;
const imageSets = new LRUCache<string, ImageSet>({
  maxSize: IMAGE_CACHE_BYTES,
  maxEntrySize: IMAGE_CACHE_BYTES / 2,
  sizeCalculation: (set) => Math.max(1, [...set.values()].reduce((n, img) => n + img.width * img.height * 4, 0)),
});
const NO_IMAGES: ImageSet = new Map();

function fileStamp(path: string): string {
  try {
    const st = statSync(path);
    return `${st.mtimeMs}:${st.size}`;
  } catch {
    return 'missing';
  }
}

async function imagesFor(design: Design, job: RenderJob): Promise<ImageSet> {
  const sources = design.background.flatMap((l) => (l.type === 'image' ? [l.src] : []));
  if (!sources.length) return NO_IMAGES;
  // A file's modification time is part of the key: an image edited on disk is decoded again.
  const stamps = sources.map((src) => (src.startsWith('data:') ? '' : fileStamp(job.assetDir ? resolve(job.assetDir, src) : src)));
  const key = createHash('sha256').update(`${job.assetDir ?? ''}\0${sources.join('\0')}\0${stamps.join('\0')}`).digest('base64');
  const hit = imageSets.get(key);
  if (hit) return hit;
  const set = await loadImages(design, job.assetDir);
  imageSets.set(key, set);
  return set;
}

function renderItem(design: Design, job: RenderJob, images: ImageSet): RenderedItem {
  if (job.mode === 'raw') {
    // Fresh (not pooled) pixels: a thread gets them transferred, not copied.
    const r = renderDesign(design, { seed: job.seed, images, viewScale: job.viewScale });
    const png = job.pack === 'png';
    const bytes = png ? encodePng(r.pixels, r.width, r.height, { effort: PREVIEW_PNG_EFFORT, opaque: r.opaque }) : new Uint8Array(r.pixels.buffer, r.pixels.byteOffset, r.pixels.byteLength);
    return {
      bytes,
      mime: png ? 'image/png' : 'application/octet-stream',
      width: r.width,
      height: r.height,
      seed: r.seed,
      deterministic: r.deterministic,
      answer: r.challenge?.answer ?? null,
      scale: r.scale,
      glyphs: r.glyphs,
      warnings: legibilityWarnings(design, r.glyphs),
    };
  }
  if (job.mode === 'fit-text') {
    // `value: undefined` (remove the field) is left out by JSON: the pool reads it back as undefined.
    return { bytes: Buffer.from(JSON.stringify(fitText(design))), mime: 'application/json', width: 0, height: 0, seed: 0, deterministic: true, answer: null };
  }
  if (job.mode === 'thumbnail') {
    const t = renderThumbnail(design, job.seed, images);
    return { bytes: t.bytes, mime: 'image/png', width: t.width, height: t.height, seed: job.seed ?? 0, deterministic: true, answer: null };
  }
  const img = renderImage(design, { seed: job.seed, images });
  return { bytes: img.bytes, mime: img.mime, width: img.width, height: img.height, seed: img.seed, deterministic: img.deterministic, answer: img.challenge?.answer ?? null };
}

/**
 * Large raw pixels go to the pool's in-memory folder: one write and one read
 * instead of serialising, piping, gathering and deserialising them. Anything
 * that goes wrong falls back to the IPC channel.
 */
function viaRawDir(item: RenderedItem, job: RenderJob, index: number): RenderedItem {
  if (!job.rawDir || job.mode !== 'raw' || item.bytes.byteLength < RAW_FILE_MIN_BYTES) return item;
  const file = join(job.rawDir, rawFileName(process.pid, job.id, index));
  try {
    writeFileSync(file, item.bytes, { flag: 'wx', mode: 0o600 });
    return { ...item, bytes: new Uint8Array(0), inRawDir: true };
  } catch {
    rmSync(file, { force: true }); // a partial write (a full tmpfs): the pixels go by IPC instead
    return item;
  }
}

pool.on(async (msg) => {
  if ('kind' in msg) {
    // The pool checked the font in its own process first; a failure here is only reported.
    try {
      fontRegistry().addFile(msg.file, 'user');
    } catch (e) {
      process.emitWarning(`render worker could not load ${msg.file}: ${(e as Error).message}`);
    }
    return;
  }
  const job = msg;
  let reply: RenderReply;
  let design = job.design;
  if (design) designs.set(job.key, design);
  else design = designs.get(job.key);
  if (!design) return void pool.post({ id: job.id, ok: false, kind: 'missing-design' } satisfies RenderReply);
  try {
    const images = job.mode === 'fit-text' ? NO_IMAGES : await imagesFor(design, job);
    const items = [];
    for (let i = 0; i < (job.count ?? 1); i++) items.push(viaRawDir(renderItem(design, job, images), job, i));
    reply = { id: job.id, ok: true, items };
  } catch (e) {
    // Bad input (the design, an image it names) goes back as issues the pool turns into a DesignError.
    reply =
      e instanceof InputError
        ? { id: job.id, ok: false, kind: 'design', issues: e instanceof DesignError ? e.issues : [{ field: e.field, rule: e.rule }], message: e.message }
        : { id: job.id, ok: false, kind: 'internal', message: (e as Error).message };
  }
  // Transfer the encoded bytes instead of copying them back (pooled small Buffers
  // share one slab, which cannot move: those are copied).
  const transfer = reply.ok ? reply.items.filter((it) => it.bytes.byteLength === it.bytes.buffer.byteLength).map((it) => it.bytes.buffer as ArrayBuffer) : [];
  pool.post(reply, transfer);
});
pool.post({ kind: 'ready' });
