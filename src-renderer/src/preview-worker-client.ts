/**
 * The page's side of the preview worker (preview-worker.ts): renders go through it, and
 * it can be handed the preview canvas (before anything is drawn on it). If it fails, the
 * page renders previews itself again (`fallback`) and keeps drawing on its own canvas.
 */
import type { PreviewOutcome, PreviewView } from '../../src-main/api.ts';
import type { DrawnPreview, FromPreviewWorker, PreviewCanvasHost, ToPreviewWorker } from './preview-surface.ts';

type Render = (design: unknown, seed: number, view?: PreviewView | null) => Promise<PreviewOutcome>;

export interface PreviewWorkerClient extends PreviewCanvasHost {
  render: Render;
}

export function startPreviewWorker(base: string, client: string, fallback: Render): PreviewWorkerClient | null {
  if (typeof Worker === 'undefined' || typeof OffscreenCanvas === 'undefined') return null;
  let worker: Worker | null;
  try {
    worker = new Worker(new URL('./preview-worker.ts', import.meta.url), { type: 'module', name: 'preview' });
  } catch {
    return null;
  }
  /** Canvases handed over: each element can be transferred once; a re-mounted pane brings a new one. */
  const given = new WeakSet<HTMLCanvasElement>();
  let attached = false;
  let nextId = 0;
  const waiting = new Map<number, { resolve(o: PreviewOutcome & DrawnPreview): void; reject(e: Error): void; args: Parameters<Render> }>();
  const post = (m: ToPreviewWorker, transfer: Transferable[] = []) => worker?.postMessage(m, transfer);

  worker.onmessage = ({ data: m }: MessageEvent<FromPreviewWorker>) => {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (!w) return;
    if (m.error !== undefined || !m.outcome) return w.reject(new Error(m.error ?? 'the preview worker failed'));
    // Its clock starts at its own timeOrigin: into this page's performance.now() time.
    w.resolve(m.drawnAt === undefined ? m.outcome : { ...m.outcome, drawnAt: m.drawnAt - performance.timeOrigin });
  };
  worker.onerror = (e) => {
    e.preventDefault();
    worker?.terminate();
    worker = null;
    // Not started (or broken): what it was asked goes the page's way. A canvas it already
    // owned cannot be taken back; that needs a reload, which the console says.
    if (attached) console.error('the preview worker failed: reload the page to see previews');
    for (const [id, w] of waiting) {
      waiting.delete(id);
      fallback(...w.args).then(w.resolve, w.reject);
    }
  };
  post({ type: 'init', base, client });

  return {
    render(design, seed, view) {
      if (!worker) return fallback(design, seed, view);
      const id = ++nextId;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject, args: [design, seed, view] });
        post({ type: 'render', id, design, seed, view });
      });
    },
    attachPreviewCanvas(canvas) {
      if (!worker || given.has(canvas) || !('transferControlToOffscreen' in canvas)) return false;
      let off: OffscreenCanvas;
      try {
        off = canvas.transferControlToOffscreen();
      } catch {
        return false; // it already has a context here: it stays the page's
      }
      post({ type: 'canvas', canvas: off }, [off]);
      given.add(canvas);
      attached = true;
      return true;
    },
    drawOnPreviewCanvas(img) {
      post({ type: 'draw', width: img.width, height: img.height, pixels: img.pixels });
    },
  };
}
