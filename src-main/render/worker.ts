// Worker thread: renders designs with the core, off the main event loop.
import { parentPort } from 'node:worker_threads';
import { DesignError, type Design } from '../core/design.ts';
import { renderImage } from '../core/render.ts';
import type { RenderJob, RenderReply } from './protocol.ts';

/** Designs by key, most recent last; the pool sends a design once, then only its key. */
const designs = new Map<string, Design>();
const MAX_DESIGNS = 256;

parentPort!.on('message', (job: RenderJob) => {
  let reply: RenderReply;
  let design = job.design;
  if (design) {
    designs.delete(job.key);
    designs.set(job.key, design);
    if (designs.size > MAX_DESIGNS) designs.delete(designs.keys().next().value!);
  } else design = designs.get(job.key);
  if (!design) return void parentPort!.postMessage({ id: job.id, ok: false, kind: 'missing-design' } satisfies RenderReply);
  try {
    const items = [];
    for (let i = 0; i < (job.count ?? 1); i++) {
      const img = renderImage(design, { seed: job.seed, assetDir: job.assetDir });
      items.push({ bytes: img.bytes, mime: img.mime, width: img.width, height: img.height, seed: img.seed, deterministic: img.deterministic, answer: img.challenge?.answer ?? null });
    }
    reply = { id: job.id, ok: true, items };
  } catch (e) {
    reply =
      e instanceof DesignError
        ? { id: job.id, ok: false, kind: 'design', issues: e.issues, message: e.message }
        : { id: job.id, ok: false, kind: 'internal', message: (e as Error).message };
  }
  // Transfer the encoded bytes instead of copying them back (pooled small Buffers
  // share one slab, which cannot move: those are copied).
  const transfer = reply.ok ? reply.items.filter((it) => it.bytes.byteLength === it.bytes.buffer.byteLength).map((it) => it.bytes.buffer as ArrayBuffer) : [];
  parentPort!.postMessage(reply, transfer);
});
