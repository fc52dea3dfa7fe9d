/**
 * Effort 1's encoder for busy images: @napi-rs/image (the Rust `png` crate), Sub
 * filter, fdeflate. fdeflate is a deflate made for filtered image rows (Huffman
 * codes for literals plus runs of zeros, no match search): on the captcha presets it
 * encodes 2.2-5x faster than the Sub filter plus zlib that effort 2 uses, for
 * 1.0-1.5x the bytes (BENCHMARKS.md, "Captcha route (issue 15)": the figures per
 * preset). A captcha is drawn and encoded once per request and zlib was most of that
 * (issue 15), so the presets issue at effort 1.
 *
 * Not for flat artwork: without match search a page of one colour stays about a
 * byte per pixel (640x360 placeholder: 67 KB against 9.7 KB), so png.ts gives such
 * images to png-rows.ts first. Not our own code in JS: a one-pass Huffman encoder
 * of that kind measured slower than zlib here (120 against 105 µs on seed 002's
 * captcha, png-rows.ts's header), which the Rust one is not.
 *
 * Its memory is Rust's, freed when V8 collects the Transformer's JS wrapper and the
 * event loop turns (napi finalizers run then): a synchronous loop of encodes holds all
 * of theirs until it ends, about 2.3x each image's RGBA size. Hence png.ts's
 * NATIVE_MAX_PIXELS, and the main process's own small encodes stay on zlib.
 *
 * The binding is loaded on first use. If this platform has no prebuilt binary
 * (its optional package missing), effort 1 falls back to zlib: slower, never wrong.
 */
import { createRequire } from 'node:module';

/** What we use of @napi-rs/image. */
interface NativeImage {
  Transformer: {
    fromRgbaPixels(px: Uint8Array, width: number, height: number): { pngSync(opts: { compressionType: number; filterType: number }): Buffer };
  };
}

// @napi-rs/image's const enums (index.d.ts), spelled here: an ambient const enum
// cannot be imported under isolatedModules.
const COMPRESSION_FAST = 1;
const FILTER_SUB = 1;

let binding: NativeImage | null | undefined;

function load(): NativeImage | null {
  if (binding === undefined) {
    try {
      binding = createRequire(import.meta.url)('@napi-rs/image') as NativeImage;
    } catch {
      binding = null;
    }
  }
  return binding;
}

/** True when the native encoder loaded (tests and the README's effort table say which path ran). */
export function hasNativePng(): boolean {
  return load() !== null;
}

/** A whole PNG file (RGBA, 8 bits) of unpremultiplied RGBA pixels; null when the binding is not available. */
export function encodePngFast(px: Uint8Array | Uint8ClampedArray, width: number, height: number): Buffer | null {
  const native = load();
  if (!native) return null;
  const bytes = px instanceof Uint8Array ? px : new Uint8Array(px.buffer, px.byteOffset, px.length);
  return native.Transformer.fromRgbaPixels(bytes, width, height).pngSync({ compressionType: COMPRESSION_FAST, filterType: FILTER_SUB });
}
