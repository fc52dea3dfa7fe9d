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
type Pixels = { width: number; height: number; pixels: Uint8Array; encoding?: 'png' };
/** The last pixels drawn, for a canvas handed over later (the preview pane was re-mounted). */
let last: Pixels | null = null;

/** A PNG reply as a bitmap, exactly its pixels: no premultiplying or colour management on the way. */
function decodePng(img: Pixels): Promise<ImageBitmap> {
  return createImageBitmap(new Blob([img.pixels as Uint8Array<ArrayBuffer>], { type: 'image/png' }), { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
}

/** Puts the pixels on the canvas; when it did, the time (timeOrigin-based, comparable across threads). */
async function paint(img: Pixels): Promise<number | undefined> {
  if (!canvas) return undefined;
  const bitmap = img.encoding === 'png' ? await decodePng(img) : null;
  if (!canvas) return undefined;
  last = img;
  if (canvas.width !== img.width) canvas.width = img.width;
  if (canvas.height !== img.height) canvas.height = img.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return undefined;
  if (bitmap) {
    // 'copy': the image replaces what was there, transparent pixels included (as putImageData does).
    ctx.globalCompositeOperation = 'copy';
    ctx.drawImage(bitmap, 0, 0);
    bitmap.close();
  } else ctx.putImageData(new ImageData(new Uint8ClampedArray(img.pixels.buffer as ArrayBuffer, img.pixels.byteOffset, img.pixels.byteLength), img.width, img.height), 0, 0);
  return performance.timeOrigin + performance.now();
}

/** Raw RGBA of a PNG reply, for the page when this worker could not draw it. */
async function rawPixels(img: Pixels): Promise<Pixels> {
  if (img.encoding !== 'png') return img;
  const bitmap = await decodePng(img);
  const ctx = new OffscreenCanvas(img.width, img.height).getContext('2d')!;
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  const data = ctx.getImageData(0, 0, img.width, img.height).data;
  return { width: img.width, height: img.height, pixels: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

scope.onmessage = async ({ data: m }) => {
  if (m.type === 'init') {
    [base, client] = [m.base, m.client];
    channel = createPreviewChannel(base);
  } else if (m.type === 'canvas') {
    canvas = m.canvas;
    if (last) void paint(last);
  } else if (m.type === 'draw') {
    void paint(m);
  } else if (m.type === 'render') {
    try {
      // With the canvas here, large previews may come as PNGs: decoded and drawn below.
      const outcome = (await channel?.request(m.design, m.seed, m.view, canvas ? 'png' : undefined)) ?? (await fetchPreview(base, client, m.design, m.seed, m.view));
      const drawnAt = outcome.ok ? await paint(outcome) : undefined;
      // Drawn here: the page needs only the rest (the pixels stay as `last`). Not drawn (no
      // canvas handed over yet): the pixels go to the page, which draws them itself.
      if (outcome.ok && drawnAt !== undefined) scope.postMessage({ type: 'done', id: m.id, outcome: { ...outcome, pixels: new Uint8Array(0), encoding: undefined }, drawnAt });
      else if (outcome.ok) {
        const raw = { ...outcome, ...(await rawPixels(outcome)), encoding: undefined };
        scope.postMessage({ type: 'done', id: m.id, outcome: raw }, [raw.pixels.buffer as ArrayBuffer]);
      } else scope.postMessage({ type: 'done', id: m.id, outcome });
    } catch (e) {
      scope.postMessage({ type: 'done', id: m.id, error: (e as Error).message });
    }
  }
};
