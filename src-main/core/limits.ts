/**
 * The device size of a `w` x `h` design at scale `k`: rounded, at least one pixel each way.
 * Here, beside the limits it is checked against, so the renderer, the cost model and the
 * main thread (which never loads the native canvas) share one rounding.
 */
export function deviceSize(w: number, h: number, k: number): { width: number; height: number } {
  return { width: Math.max(1, Math.round(w * k)), height: Math.max(1, Math.round(h * k)) };
}

/** The largest values any design may ask for: they bound what one render can allocate and draw. */
export const LIMITS = {
  side: 8192,
  /** 7680 x 4320: the largest image any entry point will allocate. */
  area: 33_177_600,
  scale: 4,
  textLength: 32,
  layers: 32,
  stops: 16,
  palette: 16,
  fonts: 16,
  lines: 500,
  curves: 500,
  dots: 50_000,
  bubbles: 2_000,
  /** distortion.warp.amplitude, design pixels: beyond this the warp tears glyphs apart rather than bending them. */
  warpAmplitude: 50,
  customCharset: 1024,
  imageSource: 16 * 1024 * 1024,
} as const;
