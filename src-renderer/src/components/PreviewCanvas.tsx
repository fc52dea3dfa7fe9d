/**
 * The preview's canvas: it owns the element and draws each new image into it, as
 * soon as it arrives when given a sink to register (usePreview calls it before React
 * re-renders), else from a layout effect; an image already drawn is not drawn again. Its backing store is the pixels as rendered (at the view's scale, or full
 * size); its CSS size is the design's size times the zoom, so a render at display size
 * maps one pixel to one device pixel.
 */
import { useCallback, useLayoutEffect, useRef } from 'react';
import type { PreviewSink, PreviewState } from '../hooks/usePreview.ts';
import { PREVIEW_DRAWN, type PreviewDrawnDetail } from '../preview-drawn.ts';
import type { DrawnPreview, PreviewCanvasHost } from '../preview-surface.ts';

type Image = NonNullable<PreviewState['image']> & DrawnPreview;

/** The image's size in design pixels (what the zoom multiplies). */
export function designSize(img: Pick<Image, 'width' | 'height' | 'designWidth' | 'designHeight'>): { width: number; height: number } {
  return { width: img.designWidth, height: img.designHeight };
}

/** Puts raw RGBA pixels on the canvas at their own size; false without a 2D context (jsdom). */
export function putPixels(canvas: HTMLCanvasElement, img: Image): boolean {
  if (canvas.width !== img.width) canvas.width = img.width;
  if (canvas.height !== img.height) canvas.height = img.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return false;
  ctx.putImageData(new ImageData(new Uint8ClampedArray(img.pixels.buffer as ArrayBuffer, img.pixels.byteOffset, img.pixels.byteLength), img.width, img.height), 0, 0);
  return true;
}

export function PreviewCanvas({
  img,
  zoom,
  devicePixelRatio = 1,
  onSink,
  host,
}: {
  img: Image | null;
  zoom: number;
  devicePixelRatio?: number;
  /** Told the function that draws an image at once (null when unmounted). */
  onSink?: (draw: PreviewSink | null) => void;
  /** Where the canvas can be handed to the preview worker (web mode); it then draws the pixels. */
  host?: PreviewCanvasHost | null;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  /** The canvas belongs to the preview worker: pixels are put on it there. */
  const given = useRef(false);
  const hostNow = useRef(host);
  useLayoutEffect(() => {
    hostNow.current = host;
    // Handed over before anything is drawn on it: a canvas with a context here cannot be.
    if (host && canvas.current && !given.current) given.current = host.attachPreviewCanvas(canvas.current);
  }, [host]);
  const zoomNow = useRef(zoom);
  useLayoutEffect(() => {
    zoomNow.current = zoom;
  }, [zoom]);

  const draw = useCallback((next: Image) => {
    const c = canvas.current;
    if (!c || c.dataset.seq === String(next.seq)) return;
    const h = hostNow.current;
    if (given.current) {
      // Pixels that did not come through the worker (the first ones, before it had the canvas) go to it.
      if (next.drawnAt === undefined) h!.drawOnPreviewCanvas(next);
    } else if (next.drawnAt !== undefined || !putPixels(c, next)) return; // drawn by the worker on a canvas it does not show
    // The backing size, which the element no longer reports once the worker owns it.
    c.dataset.width = String(next.width);
    c.dataset.height = String(next.height);
    // Drawn ahead of React's render: the CSS size it will give, so the new backing store
    // is not stretched into the old box for a frame.
    c.style.width = `${next.designWidth * zoomNow.current}px`;
    c.style.height = `${next.designHeight * zoomNow.current}px`;
    // Which preview is on screen, for browser tests that wait for a redraw.
    c.dataset.seq = String(next.seq);
    c.dispatchEvent(new CustomEvent<PreviewDrawnDetail>(PREVIEW_DRAWN, { bubbles: true, detail: { seq: next.seq, requestedAt: next.requestedAt, drawnAt: next.drawnAt } }));
  }, []);

  useLayoutEffect(() => {
    onSink?.(draw);
    return () => onSink?.(null);
  }, [onSink, draw]);
  // Images that did not come through the sink (none registered yet, or a test).
  useLayoutEffect(() => {
    if (img) draw(img);
  }, [img, draw]);

  const size = img && designSize(img);
  // Enlarged pixels stay sharp squares (the image's real pixels); a render at display size is shown 1:1.
  const enlarged = img && size ? (size.width * zoom * devicePixelRatio) / img.width > 1.01 : false;
  return (
    <canvas
      ref={canvas}
      data-testid="preview"
      aria-label={size ? `Preview, ${size.width} by ${size.height} pixels` : 'Preview'}
      role="img"
      style={size ? { width: size.width * zoom, height: size.height * zoom, imageRendering: enlarged ? 'pixelated' : 'auto' } : undefined}
    />
  );
}
