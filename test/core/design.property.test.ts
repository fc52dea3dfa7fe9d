/**
 * Property tests over the schema and the renderer: whatever the schema accepts
 * renders (within the limits, in bounded time); whatever it rejects is a
 * DesignError naming a field, never another exception. fast-check picks a fresh
 * seed each run and prints it with the shrunk counterexample on failure; set
 * FC_SEED to replay one, FC_RUNS to run more.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DesignError, LIMITS, parseDesign, safeParseDesign, type Design } from '../../src-main/core/design.ts';
import { loadImages, renderDesign, renderImage, type ImageSet } from '../../src-main/core/render.ts';
import { designArb, mutatedDesignArb, nasty } from '../support/arbitraries.ts';
import { decodePng } from '../support/png.ts';

const RUNS = Number(process.env.FC_RUNS ?? 1000);
/** Generous: 1000 designs take about 4 s here. */
const TIMEOUT = 60_000 + RUNS * 30;
const params = (numRuns: number): fc.Parameters<unknown> => ({ numRuns, ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}) });

/**
 * Render-time refusals that depend on the machine, not the schema: a font that
 * is not installed, a character no font has, an image that cannot be read.
 */
const ENVIRONMENT_FIELDS = /^(text\.fonts\.\d+|text\.value|text\.chars|text|background\.\d+\.src)$/;

/**
 * A hang guard, not a speed test: at ≤64x64 px even the costliest corner (50,000
 * dots, 2,000 bubbles, 1024 px glyphs) takes milliseconds; seconds means a loop
 * that does not end with its input.
 */
const HANG_MS = 5000;

/** Decodes the image layers; an unreadable one is a DesignError naming its field. */
async function imagesOf(design: Design): Promise<ImageSet | null> {
  try {
    return await loadImages(design);
  } catch (e) {
    if (e instanceof DesignError && ENVIRONMENT_FIELDS.test(e.field)) return null;
    throw e;
  }
}

async function checkRender(design: Design): Promise<void> {
  const images = await imagesOf(design);
  if (!images) return;
  const started = performance.now();
  let out;
  try {
    out = renderImage(design, { images });
  } catch (e) {
    if (e instanceof DesignError && ENVIRONMENT_FIELDS.test(e.field)) return;
    throw e;
  }
  expect(performance.now() - started).toBeLessThan(HANG_MS);
  const w = design.width * design.scale;
  const h = design.height * design.scale;
  expect([out.width, out.height]).toEqual([w, h]);
  expect(w * h).toBeLessThanOrEqual(LIMITS.area);
  if (design.output.format === 'png') {
    const img = decodePng(out.bytes);
    expect([img.width, img.height]).toEqual([w, h]);
  } else {
    // JPEG starts FF D8 FF; WebP is a RIFF container.
    expect(out.bytes.subarray(0, 4).toString('latin1')).toMatch(design.output.format === 'jpeg' ? /^\xff\xd8\xff/ : /^RIFF/);
  }
  const t = design.text;
  if (!t) expect(out.challenge ?? null).toBeNull();
  else if (t.mode === 'random') expect([...out.challenge!.answer]).toHaveLength(t.length);
  else if (t.mode === 'math') expect(out.challenge!.answer).toMatch(/^\d+$/);
  else expect(out.challenge!.answer).toBe(t.value);
}

function checkRejection(input: unknown, error: DesignError): void {
  expect(error).toBeInstanceOf(DesignError);
  expect(error.issues.length).toBeGreaterThan(0);
  for (const issue of error.issues) {
    expect(issue.rule).toMatch(/\S/);
    // Only a non-object design has no field to name; its message still says "design".
    if (input !== null && typeof input === 'object' && !Array.isArray(input)) expect(issue.field).not.toBe('');
  }
  expect(error.message.startsWith(`${error.field || 'design'}: `)).toBe(true);
}

/** Parses; either renders what was accepted or checks the rejection. Returns which. */
async function property(input: unknown): Promise<'accepted' | 'rejected'> {
  const r = safeParseDesign(input);
  if (!r.ok) {
    checkRejection(input, r.error);
    return 'rejected';
  }
  await checkRender(r.design);
  return 'accepted';
}

describe('design schema and renderer, property-based', () => {
  it(`renders every schema-shaped design it accepts and names the field of every one it refuses (${RUNS} designs)`, async () => {
    const seen = { accepted: 0, rejected: 0 };
    await fc.assert(
      fc.asyncProperty(designArb, async (d) => void seen[await property(d)]++),
      params(RUNS),
    );
    // The generator must exercise both sides, or the property proves little.
    expect(seen.accepted).toBeGreaterThan(RUNS / 4);
    expect(seen.rejected).toBeGreaterThan(0);
  }, TIMEOUT);

  it(`handles designs with one hostile value anywhere (${RUNS} designs)`, async () => {
    const seen = { accepted: 0, rejected: 0 };
    await fc.assert(
      fc.asyncProperty(mutatedDesignArb, async (d) => void seen[await property(d)]++),
      params(RUNS),
    );
    expect(seen.rejected).toBeGreaterThan(RUNS / 4);
  }, TIMEOUT);

  it('refuses anything that is not a design object with a DesignError', async () => {
    await fc.assert(
      fc.asyncProperty(nasty, async (v) => {
        const r = safeParseDesign(v);
        if (r.ok) await checkRender(r.design); // {} and the like are valid: all defaults
        else checkRejection(v, r.error);
      }),
      params(300),
    );
  });

  it('gives the same pixels for the same design and seed, in any order of its keys', async () => {
    await fc.assert(
      fc.asyncProperty(designArb, async (input) => {
        const r = safeParseDesign(input);
        if (!r.ok) return;
        const shuffled = parseDesign(Object.fromEntries(Object.entries(input).reverse()));
        const images = await imagesOf(r.design);
        if (!images) return;
        let a, b;
        try {
          a = renderDesign(r.design, { seed: 7, images });
          b = renderDesign(shuffled, { seed: 7, images });
        } catch (e) {
          if (e instanceof DesignError && ENVIRONMENT_FIELDS.test(e.field)) return;
          throw e;
        }
        expect(Buffer.from(b.pixels).equals(Buffer.from(a.pixels))).toBe(true);
        expect(b.challenge).toEqual(a.challenge);
      }),
      params(200),
    );
  });
});
