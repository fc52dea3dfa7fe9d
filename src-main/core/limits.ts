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
