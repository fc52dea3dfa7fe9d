/**
 * The captchas an attack reads: rendered by the core as the server renders them, from
 * fresh seeds (never the seeds the legibility check looks at, nor the design's own), so
 * a design tuned on its preview seeds is not measured on them.
 */
import type { Design } from '../core/design.ts';
import type { FontRegistry } from '../core/fonts.ts';
import { CHECK_SEEDS } from '../core/legibility.ts';
import { randomSeed } from '../core/random.ts';
import { renderDesign, type ImageSet } from '../core/render.ts';
import { flatten, type RgbImage } from './image.ts';

export interface Sample {
  seed: number;
  /** What the server would accept. */
  answer: string;
  /** What is drawn (the question, for math). */
  text: string;
  image: RgbImage;
  /** Device pixels per design pixel. */
  scale: number;
}

/** `n` distinct random seeds, none of them the checked ones or the design's own. */
export function freshSeeds(n: number, design: Pick<Design, 'seed'>, random: () => number = randomSeed): number[] {
  const avoid = new Set<number>(CHECK_SEEDS);
  if (design.seed !== undefined) avoid.add(design.seed);
  const out = new Set<number>();
  while (out.size < n) {
    const s = random();
    if (!avoid.has(s)) out.add(s);
  }
  return [...out];
}

export interface SampleSource {
  fonts?: FontRegistry;
  images?: ImageSet;
}

/** One captcha of `design` at `seed`, as the server draws it (at the design's scale), flattened onto white. */
export function renderSample(design: Design, seed: number, src: SampleSource = {}): Sample {
  const r = renderDesign(design, { seed, fonts: src.fonts, images: src.images });
  return { seed, answer: r.challenge?.answer ?? '', text: r.challenge?.text ?? '', image: flatten(r.pixels, r.width, r.height), scale: r.scale };
}
