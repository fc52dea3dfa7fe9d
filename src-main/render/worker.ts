// Worker thread: renders designs with the core, off the main event loop.
import { parentPort } from 'node:worker_threads';
import { DesignError } from '../core/design.ts';
import { renderImage } from '../core/render.ts';
import type { RenderJob, RenderReply } from './protocol.ts';

parentPort!.on('message', (job: RenderJob) => {
  let reply: RenderReply;
  try {
    const img = renderImage(job.design, { seed: job.seed, assetDir: job.assetDir });
    reply = {
      id: job.id,
      ok: true,
      bytes: img.bytes,
      mime: img.mime,
      width: img.width,
      height: img.height,
      seed: img.seed,
      deterministic: img.deterministic,
      answer: img.challenge?.answer ?? null,
    };
  } catch (e) {
    reply =
      e instanceof DesignError
        ? { id: job.id, ok: false, kind: 'design', issues: e.issues, message: e.message }
        : { id: job.id, ok: false, kind: 'internal', message: (e as Error).message };
  }
  // Transfer the encoded bytes instead of copying them back.
  const transfer = reply.ok ? [reply.bytes.buffer as ArrayBuffer] : [];
  parentPort!.postMessage(reply, transfer);
});
