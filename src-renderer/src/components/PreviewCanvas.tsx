/** The preview's canvas: it owns the element and draws each new image into it from an effect. */
import { useEffect, useRef } from 'react';
import type { PreviewState } from '../hooks/usePreview.ts';
import { PREVIEW_DRAWN, type PreviewDrawnDetail } from '../preview-drawn.ts';

type Image = NonNullable<PreviewState['image']>;

/** Puts raw RGBA pixels on the canvas at their own size; false without a 2D context (jsdom). */
export function putPixels(canvas: HTMLCanvasElement, img: Image): boolean {
  if (canvas.width !== img.width) canvas.width = img.width;
  if (canvas.height !== img.height) canvas.height = img.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return false;
  ctx.putImageData(new ImageData(new Uint8ClampedArray(img.pixels.buffer as ArrayBuffer, img.pixels.byteOffset, img.pixels.byteLength), img.width, img.height), 0, 0);
  return true;
}

export function PreviewCanvas({ img, zoom }: { img: Image | null; zoom: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const c = canvas.current;
    if (!c || !img || !putPixels(c, img)) return;
    // Which preview is on screen, for browser tests that wait for a redraw.
    c.dataset.seq = String(img.seq);
    c.dispatchEvent(new CustomEvent<PreviewDrawnDetail>(PREVIEW_DRAWN, { bubbles: true, detail: { seq: img.seq, requestedAt: img.requestedAt } }));
  }, [img]);

  return (
    <canvas
      ref={canvas}
      data-testid="preview"
      aria-label={img ? `Preview, ${img.width} by ${img.height} pixels` : 'Preview'}
      role="img"
      style={img ? { width: img.width * zoom, height: img.height * zoom, imageRendering: zoom > 1 ? 'pixelated' : 'auto' } : undefined}
    />
  );
}
