/** Test helpers: decode images independently of the code under test. */
import { PNG } from 'pngjs';
import pixelmatch from 'pixelmatch';

export interface Decoded {
  width: number;
  height: number;
  data: Buffer; // RGBA
}

/** Decodes with pngjs, a separate pure-JS decoder, so our encoder is checked too. */
export function decodePng(bytes: Buffer): Decoded {
  const png = PNG.sync.read(bytes);
  return { width: png.width, height: png.height, data: png.data };
}

export function pixel(img: Decoded, x: number, y: number): [number, number, number, number] {
  const i = (y * img.width + x) * 4;
  return [img.data[i], img.data[i + 1], img.data[i + 2], img.data[i + 3]];
}

/** Number of pixels that differ beyond pixelmatch's perceptual threshold. */
export function diffPixels(a: Decoded, b: Decoded, threshold = 0.1): number {
  if (a.width !== b.width || a.height !== b.height) return Number.POSITIVE_INFINITY;
  return pixelmatch(a.data, b.data, undefined, a.width, a.height, { threshold });
}

/** Count of pixels differing at all, byte-exact. */
export function exactDiff(a: Uint8Array | Uint8ClampedArray, b: Uint8Array | Uint8ClampedArray): number {
  let n = 0;
  for (let i = 0; i < a.length; i += 4) if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2] || a[i + 3] !== b[i + 3]) n++;
  return n;
}
