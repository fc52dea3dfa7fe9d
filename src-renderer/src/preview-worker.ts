/**
 * The preview worker (web mode): asks the server for each preview (over the preview
 * socket, else POST) and, once the page has handed it the preview canvas, puts the
 * pixels on it here, off the page's main thread. See preview-surface.ts.
 */
import { fetchPreview } from './preview-fetch.ts';
import { createPreviewChannel, type PreviewChannel } from './preview-socket.ts';
import type { FromPreviewWorker, ToPreviewWorker } from './preview-surface.ts';

interface Scope {
  onmessage: ((e: MessageEvent<ToPreviewWorker>) => void) | null;
  postMessage(m: FromPreviewWorker, transfer?: Transferable[]): void;
}
const scope = self as unknown as Scope;

let base = '';
let client = 'web';
let channel: PreviewChannel | null = null;
let canvas: OffscreenCanvas | null = null;
/** The last pixels drawn, for a canvas handed over later (the preview pane was re-mounted). */
let last: { width: number; height: number; pixels: Uint8Array } | null = null;

/** Puts the pixels on the canvas; when it did, the time (timeOrigin-based, comparable across threads). */
function paint(img: { width: number; height: number; pixels: Uint8Array }): number | undefined {
  if (!canvas) return undefined;
  last = img;
  if (canvas.width !== img.width) canvas.width = img.width;
  if (canvas.height !== img.height) canvas.height = img.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return undefined;
  ctx.putImageData(new ImageData(new Uint8ClampedArray(img.pixels.buffer as ArrayBuffer, img.pixels.byteOffset, img.pixels.byteLength), img.width, img.height), 0, 0);
  return performance.timeOrigin + performance.now();
}

scope.onmessage = async ({ data: m }) => {
  if (m.type === 'init') {
    [base, client] = [m.base, m.client];
    channel = createPreviewChannel(base);
  } else if (m.type === 'canvas') {
    canvas = m.canvas;
    if (last) paint(last);
  } else if (m.type === 'draw') {
    paint(m);
  } else if (m.type === 'render') {
    try {
      const outcome = (await channel?.request(m.design, m.seed, m.view)) ?? (await fetchPreview(base, client, m.design, m.seed, m.view));
      const drawnAt = outcome.ok ? paint(outcome) : undefined;
      // Drawn here: the page needs only the rest (the pixels stay as `last`). Not drawn (no
      // canvas handed over yet): the pixels go to the page, which draws them itself.
      if (outcome.ok && drawnAt !== undefined) scope.postMessage({ type: 'done', id: m.id, outcome: { ...outcome, pixels: new Uint8Array(0) }, drawnAt });
      else scope.postMessage({ type: 'done', id: m.id, outcome }, outcome.ok ? [outcome.pixels.buffer as ArrayBuffer] : []);
    } catch (e) {
      scope.postMessage({ type: 'done', id: m.id, error: (e as Error).message });
    }
  }
};
