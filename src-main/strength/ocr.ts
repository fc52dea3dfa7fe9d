/**
 * The OCR attack: Tesseract (tesseract.js, LSTM engine) with the English data installed
 * from the npm registry (@tesseract.js-data/eng), read from node_modules and never
 * fetched: tesseract.js would otherwise download it from a CDN. The images are cleaned
 * up as an attacker would (ink told from the background around it, Otsu threshold, black
 * on white, upscaled to about 120 px tall) and read with the design's characters whitelisted, in the page mode
 * (one line or one word) that reads the first samples best.
 */
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Design } from '../core/design.ts';
import { encodePng } from '../core/png.ts';
import { charsetOf } from '../core/text.ts';
import { backgroundEstimate, colourDistance, type RgbImage } from './image.ts';
import type { Sample } from './samples.ts';
import { charHits, solveQuestion } from './scoring.ts';
import type { Read } from './segmentation.ts';

/** The folder holding eng.traineddata.gz (the LSTM "best, integer" model tesseract.js uses by default). */
export function engDataDir(): string {
  const pkg = createRequire(import.meta.url).resolve('@tesseract.js-data/eng/package.json');
  return join(dirname(pkg), '4.0.0_best_int');
}

const TARGET_HEIGHT = 120;
const BORDER = 16;

/** Otsu's threshold of a grey histogram: the cut that best separates two classes. */
function otsu(hist: Uint32Array, n: number): number {
  let sum = 0;
  for (let v = 0; v < 256; v++) sum += v * hist[v];
  let sumB = 0;
  let wB = 0;
  let best = 0;
  let cut = 127;
  for (let v = 0; v < 256; v++) {
    wB += hist[v];
    if (!wB) continue;
    const wF = n - wB;
    if (!wF) break;
    sumB += v * hist[v];
    const between = wB * wF * (sumB / wB - (sum - sumB) / wF) ** 2;
    if (between > best) [best, cut] = [between, v];
  }
  return cut;
}

/**
 * The sample as Tesseract reads best: each pixel's distance from the background around it
 * (so glyphs of any colour on any colour count as ink), upscaled (bilinear), thresholded
 * by Otsu (or lower, at `maxCut`, to keep faint glyphs), black ink on white with a white margin.
 */
export function prepareForOcr(img: RgbImage, glyphPx: number, maxCut = 255): { width: number; height: number; rgba: Uint8ClampedArray } {
  const { width: w, height: h, rgb } = img;
  const k = Math.max(1, Math.min(4, Math.round(TARGET_HEIGHT / h)));
  const W = w * k;
  const H = h * k;
  const bg = backgroundEstimate(img, Math.max(3, Math.round(glyphPx / 3)));
  const ink = new Float32Array(w * h);
  for (let p = 0; p < w * h; p++) {
    const i = p * 3;
    ink[p] = Math.min(255, colourDistance(rgb[i], rgb[i + 1], rgb[i + 2], bg[i], bg[i + 1], bg[i + 2]) / Math.sqrt(3));
  }
  const big = new Uint8Array(W * H);
  const hist = new Uint32Array(256);
  for (let y = 0; y < H; y++) {
    const fy = Math.min(h - 1, Math.max(0, (y + 0.5) / k - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(h - 1, y0 + 1);
    const ty = fy - y0;
    for (let x = 0; x < W; x++) {
      const fx = Math.min(w - 1, Math.max(0, (x + 0.5) / k - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(w - 1, x0 + 1);
      const tx = fx - x0;
      const v = (ink[y0 * w + x0] * (1 - tx) + ink[y0 * w + x1] * tx) * (1 - ty) + (ink[y1 * w + x0] * (1 - tx) + ink[y1 * w + x1] * tx) * ty;
      big[y * W + x] = v;
      hist[big[y * W + x]]++;
    }
  }
  const cut = Math.min(otsu(hist, W * H), maxCut);
  const OW = W + 2 * BORDER;
  const OH = H + 2 * BORDER;
  const rgba = new Uint8ClampedArray(OW * OH * 4).fill(255);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      if (big[y * W + x] <= cut) continue;
      const o = ((y + BORDER) * OW + x + BORDER) * 4;
      rgba[o] = rgba[o + 1] = rgba[o + 2] = 0;
    }
  }
  return { width: OW, height: OH, rgba };
}

/** The characters Tesseract may answer with: the design's, in both cases when the server ignores case. */
export function whitelistFor(design: Design, ignoreCase: boolean): string {
  const t = design.text;
  if (!t) return '';
  if (t.mode === 'math') return '0123456789+-x×*=?';
  const chars = t.mode === 'fixed' ? [...new Set(t.value ?? '')] : charsetOf(t);
  const out = new Set<string>();
  for (const c of chars) {
    out.add(c);
    if (ignoreCase) {
      out.add(c.toLowerCase());
      out.add(c.toUpperCase());
    }
  }
  return [...out].filter((c) => [...c].length === 1 && c.trim() !== '').join('');
}

function abortError(): Error {
  return new DOMException('the strength check was cancelled', 'AbortError');
}

/**
 * The ways tried on the first samples: page mode 7 (one text line) or 8 (one word), and
 * Otsu's threshold alone or capped low, which keeps faint glyphs (and faint noise).
 */
const VARIANTS = [
  { psm: '7', maxCut: 255 },
  { psm: '8', maxCut: 255 },
  { psm: '7', maxCut: 16 },
  { psm: '8', maxCut: 16 },
] as const;
const CALIBRATION = 8;

export interface OcrReader {
  read(s: Sample): Promise<Read>;
  /** Ends Tesseract's worker (also done when the signal aborts). */
  close(): Promise<void>;
}

/** Starts Tesseract for `design` (2-3 s: the model is decompressed once); `signal` ends it at once. */
export async function ocrReader(design: Design, opts: { ignoreCase: boolean; signal?: AbortSignal }): Promise<OcrReader> {
  const { createWorker, OEM } = await import('tesseract.js');
  const cache = mkdtempSync(join(tmpdir(), 'captcha-studio-ocr-'));
  const worker = await createWorker('eng', OEM.LSTM_ONLY, {
    langPath: engDataDir(),
    gzip: true,
    cachePath: cache,
    cacheMethod: 'none',
    errorHandler: () => {},
  }, { load_system_dawg: '0', load_freq_dawg: '0' });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    opts.signal?.removeEventListener('abort', onAbort);
    await worker.terminate().catch(() => {});
    rmSync(cache, { recursive: true, force: true });
  };
  let rejectPending: ((e: Error) => void) | null = null;
  const onAbort = () => {
    rejectPending?.(abortError());
    void close();
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) {
    await close();
    throw abortError();
  }
  await worker.setParameters({ tessedit_char_whitelist: whitelistFor(design, opts.ignoreCase), user_defined_dpi: '300' });
  const math = design.text?.mode === 'math';

  let chosen: number | null = null;
  let current = '';
  const hits = VARIANTS.map(() => 0);
  let calibrated = 0;

  const recognise = async (png: Buffer, psm: string): Promise<string> => {
    if (closed) throw abortError();
    if (current !== psm) {
      await worker.setParameters({ tessedit_pageseg_mode: psm as never });
      current = psm;
    }
    const r = await new Promise<Awaited<ReturnType<typeof worker.recognize>>>((resolve, reject) => {
      rejectPending = reject;
      worker.recognize(png).then(resolve, reject);
    }).finally(() => (rejectPending = null));
    return r.data.text.replace(/\s+/g, '');
  };
  const glyphPx = design.text?.size ?? 28;
  const readAs = async (s: Sample, v: (typeof VARIANTS)[number]) => {
    const img = prepareForOcr(s.image, glyphPx * s.scale, v.maxCut);
    return recognise(encodePng(img.rgba, img.width, img.height, { effort: 0, opaque: true }), v.psm);
  };
  const best = () => hits.reduce((b, h, i) => (h > hits[b] ? i : b), 0);

  const read = async (s: Sample): Promise<Read> => {
    let text: string;
    if (chosen !== null) text = await readAs(s, VARIANTS[chosen]);
    else {
      // The first samples are read every way, each scored as read the way that did best on
      // the ones before it (never picked by its own answer); the rest only the best way.
      const lead = best();
      const reads: string[] = [];
      for (const [i, v] of VARIANTS.entries()) {
        reads.push(await readAs(s, v));
        hits[i] += charHits(reads[i], s.text, opts.ignoreCase);
      }
      text = reads[lead];
      if (++calibrated >= CALIBRATION) chosen = best();
    }
    if (math) text = text.replace(/[x*]/g, '×');
    return { answer: math ? (solveQuestion(text) ?? '') : text, text };
  };
  return { read, close };
}

export const OCR_SUMMARY =
  "Tesseract 5 (tesseract.js, English model) on each captcha cleaned up as an attacker would (ink told from the background around it, thresholded, upscaled), with only the design's characters allowed, in the page mode and threshold that read its first samples best.";
