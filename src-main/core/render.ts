/**
 * The one rendering function: design + seed -> pixels (+ answer). Pure apart from
 * reading fonts and image files; no Electron, DOM or HTTP.
 */
import { createCanvas, ImageData } from '@napi-rs/canvas';
import { DesignError, LIMITS, isDeterministic, type Design, type ImageFormat, type OutputSpec } from './design.ts';
import { fontRegistry, type FontRegistry } from './fonts.ts';
import { drawLayer, type ImageSet } from './layers/index.ts';
export { loadImages, type ImageSet } from './layers/image-load.ts';
import { drawNoise, hasNoise, warpField, waveWarp } from './noise.ts';
import { encodeIndexedPng, encodePng } from './png.ts';
import { cryptoRng, randomSeed, seededRng } from './random.ts';
import { Surface, releasePixels } from './surface.ts';
import { checkFonts, drawText, glyphBoxes, makeChallenge, type Challenge, type GlyphBox } from './text.ts';
export type { GlyphBox } from './text.ts';
import { MIME } from './naming.ts';
import { deviceSize } from './limits.ts';

export interface RenderOptions {
  /** Overrides design.seed. */
  seed?: number;
  /** Image-layer sources decoded by loadImages(design); needed only when the design has image layers. */
  images?: ImageSet;
  fonts?: FontRegistry;
  /** Internal: the caller hands the pixels back with releasePixels(). */
  pooled?: boolean;
  /**
   * Device pixels per design pixel to render at instead of design.scale (a preview
   * drawn at the size it is shown; fractions allowed). The image is the design
   * scaled, rounded to whole pixels; the answer and layout are the same.
   */
  viewScale?: number;
}

export interface Rendered {
  /** Device pixels: design size x scale, rounded. */
  width: number;
  height: number;
  /** RGBA, not premultiplied, row-major. */
  pixels: Uint8ClampedArray;
  /** Every pixel has alpha 255 (lets the encoder skip its scan). */
  opaque: boolean;
  /** The seed that drove layout and colours (random when the design had none). */
  seed: number;
  /** True when the same design and seed give the same pixels again. */
  deterministic: boolean;
  /** For captchas: the drawn text and the expected answer. */
  challenge?: Challenge;
  /** Where each character was drawn, in design pixels; [] without text. */
  glyphs: GlyphBox[];
  /** Device pixels per design pixel rendered (design.scale, or the view's scale). */
  scale: number;
}


/** What drawing leaves: the surface, before anything reads its pixels, and the rest of Rendered. */
interface Drawn extends Omit<Rendered, 'width' | 'height' | 'pixels' | 'opaque'> {
  surface: Surface;
}

export function renderDesign(design: Design, opts: RenderOptions = {}): Rendered {
  const { surface, ...rest } = drawDesign(design, opts);
  return { width: surface.width, height: surface.height, pixels: surface.pixels(), opaque: surface.opaque, ...rest };
}

function drawDesign(design: Design, opts: RenderOptions): Drawn {
  const fixedSeed = opts.seed ?? design.seed;
  const seed = fixedSeed ?? randomSeed();
  const { width: w, height: h } = design;
  const scale = opts.viewScale ?? design.scale;
  if (!(scale > 0) || !Number.isFinite(scale)) throw new DesignError([{ field: 'view.scale', rule: 'must be a number greater than 0' }]);
  const device = deviceSize(w, h, scale);
  // The schema already refuses these; this guards callers that built a Design by hand.
  if (device.width * device.height > LIMITS.area) throw new DesignError([{ field: opts.viewScale ? 'view.scale' : 'width', rule: `width x height x scale² must be at most ${LIMITS.area}` }]);
  const fonts = opts.fonts ?? fontRegistry();
  const surface = new Surface(device.width, device.height, scale, opts.pooled);

  design.background.forEach((layer, i) => {
    drawLayer(surface, layer, { w, h, rng: seededRng(seed, `bg:${i}`), images: opts.images, field: `background.${i}`, reduction: scale / design.scale });
  });

  let challenge: Challenge | undefined;
  let glyphs: GlyphBox[] = [];
  const noise = design.noise;
  const noiseRng = seededRng(seed, 'noise');
  if (hasNoise(noise) && noise.placement === 'under') drawNoise(surface, noise, w, h, noiseRng);
  if (design.text) {
    // Answers come from the CSPRNG unless a seed was fixed by the design or caller.
    challenge = makeChallenge(design.text, { w, h }, fixedSeed === undefined ? cryptoRng : seededRng(seed, 'answer'));
    checkFonts(design.text, fonts, challenge.text);
    glyphs = glyphBoxes(drawText(surface, design.text, challenge.text, { w, h, rng: seededRng(seed, 'text'), fonts }), w, h);
  }
  if (hasNoise(noise) && noise.placement === 'over') drawNoise(surface, noise, w, h, noiseRng);
  waveWarp(surface, design.distortion.wave, seededRng(seed, 'wave'));
  if (design.distortion.warp) warpField(surface, design.distortion.warp, seededRng(seed, 'warp'));

  return { surface, seed, deterministic: fixedSeed !== undefined || isDeterministic(design), challenge, glyphs, scale };
}


/** Encodes rendered pixels in the design's output format. */
export function encodeImage(r: Pick<Rendered, 'width' | 'height' | 'pixels'> & { opaque?: boolean }, out: OutputSpec): Buffer {
  if (out.format === 'png') return encodePng(r.pixels, r.width, r.height, { effort: out.compression, opaque: r.opaque });
  let px = r.pixels;
  if (out.format === 'jpeg') {
    // JPEG has no alpha: flatten onto white, as browsers show transparent areas.
    px = new Uint8ClampedArray(r.pixels);
    for (let i = 0; i < px.length; i += 4) {
      const a = px[i + 3] / 255;
      if (a < 1) {
        px[i] = px[i] * a + 255 * (1 - a);
        px[i + 1] = px[i + 1] * a + 255 * (1 - a);
        px[i + 2] = px[i + 2] * a + 255 * (1 - a);
        px[i + 3] = 255;
      }
    }
  }
  const canvas = createCanvas(r.width, r.height);
  canvas.getContext('2d').putImageData(new ImageData(px, r.width, r.height), 0, 0);
  return canvas.encodeSync(out.format, out.quality);
}

export interface RenderedImage extends Omit<Rendered, 'pixels'> {
  bytes: Buffer;
  mime: string;
  format: ImageFormat;
}

/** Render and encode in one call: what the CLI, server and export use. */
export function renderImage(design: Design, opts: RenderOptions = {}): RenderedImage {
  const { surface, ...drawn } = drawDesign(design, { ...opts, pooled: true });
  const r = { ...drawn, width: surface.width, height: surface.height, opaque: surface.opaque };
  // A flat captcha still held as palette indices (surface.ts) is written from them, never as RGBA.
  const indexed = design.output.format === 'png' ? surface.indexed() : null;
  const fromIndices = indexed && encodeIndexedPng(indexed, r.width, r.height, design.output.compression);
  let bytes: Buffer;
  if (fromIndices) {
    bytes = fromIndices;
    surface.release();
  } else {
    const pixels = surface.pixels();
    bytes = encodeImage({ ...r, pixels }, design.output);
    releasePixels(pixels);
  }
  return { ...r, bytes, mime: MIME[design.output.format], format: design.output.format };
}
