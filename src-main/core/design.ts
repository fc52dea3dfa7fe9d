/**
 * The design document: one zod schema used everywhere a design enters (IPC, HTTP
 * query overrides, files on disk, CLI). Every rejection names the field and the rule.
 */
import { z } from 'zod';
import { DesignError, type DesignIssue } from './design-error.ts';
import { colorSchema, glyphLength, int, num, palette } from './fields.ts';
import { layerSchema, layerUsesRandomness } from './layers/index.ts';
import { LIMITS } from './limits.ts';
import { MAX_SEED } from './random.ts';

export { DesignError, type DesignIssue } from './design-error.ts';
export { LIMITS } from './limits.ts';
export { LAYER_TYPES, layerSchema, newLayer, type Layer, type LayerInput, type LayerOf, type LayerType } from './layers/index.ts';

export const DESIGN_VERSION = 1;

export const CHARSETS = ['digits', 'letters', 'lowercase', 'uppercase', 'alphanumeric', 'unambiguous', 'cjk', 'custom'] as const;

export const textSchema = z
  .strictObject({
    mode: z.enum(['random', 'fixed', 'math']).default('random'),
    charset: z.enum(CHARSETS).default('unambiguous'),
    chars: z.string().min(1, 'must have at least 1 character').max(LIMITS.customCharset, `must be at most ${LIMITS.customCharset} characters`).optional(),
    length: int(1, LIMITS.textLength).default(5),
    value: z.string().optional(),
    math: z
      .strictObject({
        operators: z.array(z.enum(['+', '-', '*'])).min(1, 'must list at least 1 operator').max(3).default(['+', '-']),
        min: int(0, 999).default(1),
        max: int(0, 999).default(9),
      })
      .prefault({}),
    fonts: z.array(z.string().min(1).max(100)).min(1, 'must list at least 1 font').max(LIMITS.fonts, `must list at most ${LIMITS.fonts} fonts`).default(['DejaVu Sans']),
    size: num(4, 1024).default(28),
    sizeJitter: num(0, 0.9).default(0.15),
    rotation: num(0, 90).default(20),
    baselineJitter: num(0, 1).default(0.1),
    spacing: num(-0.8, 4).default(0),
    position: z.strictObject({ x: glyphLength, y: glyphLength }).optional(),
    color: z
      .discriminatedUnion('mode', [
        z.strictObject({ mode: z.literal('palette'), palette: palette(1) }),
        z.strictObject({ mode: z.literal('random'), minContrast: num(1, 21).default(3) }),
      ])
      .prefault({ mode: 'random' }),
    outline: z.strictObject({ color: colorSchema, width: num(0.25, 64).default(1) }).optional(),
  })
  .superRefine((t, ctx) => {
    if (t.mode === 'fixed') {
      const n = t.value === undefined ? 0 : [...t.value].length;
      if (n < 1 || n > LIMITS.textLength)
        ctx.addIssue({ code: 'custom', path: ['value'], message: `must be 1 to ${LIMITS.textLength} characters when mode is "fixed"` });
    }
    if (t.charset === 'custom' && t.chars === undefined)
      ctx.addIssue({ code: 'custom', path: ['chars'], message: 'must be given when charset is "custom"' });
    if (t.math.min > t.math.max) ctx.addIssue({ code: 'custom', path: ['math', 'min'], message: 'must not be greater than math.max' });
  });

export const noiseSchema = z.strictObject({
  lines: int(0, LIMITS.lines).default(0),
  curves: int(0, LIMITS.curves).default(0),
  dots: int(0, LIMITS.dots).default(0),
  lineWidth: num(0.25, 64).default(1.5),
  dotRadius: num(0.25, 32).default(1),
  colors: palette(0).default([]),
  opacity: num(0, 1).default(1),
  /** Noise drawn under the text is easier for people; over it, harder for OCR. */
  placement: z.enum(['over', 'under']).default('over'),
});

export const distortionSchema = z.strictObject({
  wave: z
    .strictObject({
      amplitude: num(0, 200).default(0),
      period: num(1, 10_000).default(40),
      direction: z.enum(['horizontal', 'vertical']).default('horizontal'),
    })
    .prefault({}),
  /**
   * A random smooth bend of the whole image, both ways, different for every seed (after the
   * wave). Absent or amplitude 0: off. Optional, so designs without it parse, render and
   * version exactly as before.
   */
  warp: z
    .strictObject({
      amplitude: num(0, LIMITS.warpAmplitude).default(0),
      period: num(4, 10_000).default(30),
    })
    .optional(),
});

export const outputSchema = z.strictObject({
  format: z.enum(['png', 'jpeg', 'webp']).default('png'),
  quality: int(1, 100).default(90),
  /** PNG effort: 0 stores, 1-3 fast (default 2), 4-6 balanced, 7-9 smallest. */
  compression: int(0, 9).default(2),
});

export const designSchema = z
  .strictObject({
    $schema: z.string().optional(),
    version: z
      .number({ error: 'must be a number' })
      .refine((v) => v <= DESIGN_VERSION, `was written by a newer Captcha Studio; this one reads version ${DESIGN_VERSION}`)
      .refine((v) => v > DESIGN_VERSION || v === DESIGN_VERSION, `must be ${DESIGN_VERSION}`)
      .default(DESIGN_VERSION),
    name: z.string().max(100, 'must be at most 100 characters').default('untitled'),
    description: z.string().max(1000, 'must be at most 1000 characters').optional(),
    width: int(1, LIMITS.side).default(270),
    height: int(1, LIMITS.side).default(40),
    scale: int(1, LIMITS.scale).default(1),
    seed: int(0, MAX_SEED).optional(),
    background: z.array(layerSchema).max(LIMITS.layers, `must have at most ${LIMITS.layers} layers`).default([{ type: 'solid', color: '#ffffff', opacity: 1 }]),
    text: textSchema.optional(),
    noise: noiseSchema.prefault({}),
    distortion: distortionSchema.prefault({}),
    output: outputSchema.prefault({}),
  })
  .superRefine((d, ctx) => {
    const px = d.width * d.height * d.scale * d.scale;
    if (px > LIMITS.area)
      ctx.addIssue({
        code: 'custom',
        path: ['width'],
        message: `width x height x scale² must be at most ${LIMITS.area.toLocaleString('en-US')} pixels (got ${px.toLocaleString('en-US')})`,
      });
  });

export type Design = z.output<typeof designSchema>;
export type DesignInput = z.input<typeof designSchema>;
export type TextSpec = z.output<typeof textSchema>;
export type NoiseSpec = z.output<typeof noiseSchema>;
export type OutputSpec = z.output<typeof outputSchema>;
export type ImageFormat = OutputSpec['format'];

function issuesOf(error: z.ZodError): DesignIssue[] {
  return error.issues.map((i) => {
    // Unions report the deepest branch's problem; show it rather than the generic one.
    const inner = i.code === 'invalid_union' && i.errors?.length ? i.errors.flat().find((e) => e.code !== 'invalid_type') : undefined;
    const issue = inner ?? i;
    const path = [...i.path, ...(inner ? inner.path : [])];
    let rule = issue.message;
    if (issue.code === 'unrecognized_keys') {
      path.push(issue.keys[0] === '' ? '""' : issue.keys[0]); // an empty key still needs a visible name
      rule = `is not a known field${issue.keys.length > 1 ? ` (nor ${issue.keys.slice(1).join(', ')})` : ''}`;
    }
    if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')) rule = `must be ${issue.expected}`;
    return { field: path.map(String).join('.'), rule };
  });
}

export type ParseResult = { ok: true; design: Design } | { ok: false; error: DesignError };

export function safeParseDesign(input: unknown): ParseResult {
  const r = designSchema.safeParse(input);
  return r.success ? { ok: true, design: r.data } : { ok: false, error: new DesignError(issuesOf(r.error)) };
}

/** Validates and fills defaults; throws DesignError naming the field and the rule. */
export function parseDesign(input: unknown): Design {
  const r = safeParseDesign(input);
  if (!r.ok) throw r.error;
  return r.design;
}

const canonicalCache = new WeakMap<Design, string>();

/**
 * A stable text form of a parsed design, for cache keys and equality. Memoised
 * per object: a parsed design is treated as immutable (callers spread, never mutate),
 * and the server asks for the key of the same design on every request.
 */
export function canonicalDesign(d: Design): string {
  let k = canonicalCache.get(d);
  if (k === undefined) {
    k = JSON.stringify(d);
    canonicalCache.set(d, k);
  }
  return k;
}

/** True when the design draws anything random (so without a seed it differs each time). */
export function usesRandomness(d: Design): boolean {
  const t = d.text;
  const randomText =
    t !== undefined &&
    (t.mode !== 'fixed' ||
      t.sizeJitter + t.rotation + t.baselineJitter > 0 ||
      t.fonts.length > 1 ||
      t.color.mode === 'random' ||
      t.color.palette.length > 1);
  return (
    randomText ||
    d.noise.lines + d.noise.curves + d.noise.dots > 0 ||
    d.distortion.wave.amplitude > 0 ||
    (d.distortion.warp?.amplitude ?? 0) > 0 ||
    d.background.some(layerUsesRandomness)
  );
}

/** True when rendering this design twice gives the same pixels. */
export function isDeterministic(d: Design): boolean {
  return d.seed !== undefined || !usesRandomness(d);
}

/**
 * Designs sent over HTTP may not make the server read its own files: an image
 * layer must carry its pixels as a data URL. (Saved designs in the server's
 * folder and designs opened in the desktop app may name image files.)
 */
export function fileImageIssues(d: Design): DesignIssue[] {
  return d.background.flatMap((l, i) =>
    l.type === 'image' && !l.src.startsWith('data:')
      ? [{ field: `background.${i}.src`, rule: 'must be a data URL here: designs sent over HTTP cannot read files on the server' }]
      : [],
  );
}

/** parseDesign, refusing image layers that name files (see fileImageIssues). */
export function parseUntrustedDesign(input: unknown): Design {
  const d = parseDesign(input);
  const issues = fileImageIssues(d);
  if (issues.length) throw new DesignError(issues);
  return d;
}
