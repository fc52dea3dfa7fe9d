/**
 * The preview's canvas: it owns the element and draws each new image into it from an
 * effect. Its backing store is the pixels as rendered (at the view's scale, or full
 * size); its CSS size is the design's size times the zoom, so a render at display size
 * maps one pixel to one device pixel.
 */
import { useEffect, useRef } from 'react';
import type { PreviewState } from '../hooks/usePreview.ts';
import { PREVIEW_DRAWN, type PreviewDrawnDetail } from '../preview-drawn.ts';

type Image = NonNullable<PreviewState['image']>;

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

export function PreviewCanvas({ img, zoom, devicePixelRatio = 1 }: { img: Image | null; zoom: number; devicePixelRatio?: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const c = canvas.current;
    if (!c || !img || !putPixels(c, img)) return;
    // Which preview is on screen, for browser tests that wait for a redraw.
    c.dataset.seq = String(img.seq);
    c.dispatchEvent(new CustomEvent<PreviewDrawnDetail>(PREVIEW_DRAWN, { bubbles: true, detail: { seq: img.seq, requestedAt: img.requestedAt } }));
  }, [img]);

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
