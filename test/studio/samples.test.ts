/**
 * StudioService.samples (the sample grid's renderSamples): one call draws the design
 * at many seeds through the render pool, each shrunk to fit a sample cell, with the
 * answer of the seeded render; the set is held to one render budget.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_SAMPLES, type Sample } from '../../src-main/api.ts';
import { estimateCost } from '../../src-main/core/cost.ts';
import { DesignError, parseDesign } from '../../src-main/core/design.ts';
import { getPreset } from '../../src-main/core/presets.ts';
import { renderDesign } from '../../src-main/core/render.ts';
import { downscale } from '../../src-main/core/thumbnail.ts';
import { RenderPool } from '../../src-main/render/pool.ts';
import { SAMPLE_BOX, StudioService } from '../../src-main/studio/studio-service.ts';
import { decodePng, exactDiff, type Decoded } from '../support/png.ts';

const pool = new RenderPool({ size: 2 });
afterAll(() => pool.close());
const service = new StudioService(pool, undefined, false);

function decode(s: Sample): Decoded {
  const m = /^data:image\/png;base64,(.+)$/.exec(s.image);
  expect(m, s.image.slice(0, 40)).not.toBeNull();
  const img = decodePng(Buffer.from(m![1], 'base64'));
  expect([img.width, img.height]).toEqual([s.width, s.height]);
  return img;
}

async function refusal(p: () => Promise<unknown>): Promise<DesignError> {
  try {
    await p();
  } catch (e) {
    if (e instanceof DesignError) return e;
    throw e;
  }
  throw new Error('was not refused');
}

describe('StudioService.samples', () => {
  it('draws a captcha at each seed, actual size, with the answer its seeded render gives', async () => {
    const preset = getPreset('seed-002-captcha')!;
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 4_294_967_295];
    const { samples } = await service.samples(preset, seeds);
    expect(samples.map((s) => s.seed)).toEqual(seeds);
    const design = parseDesign(preset);
    const hashes = new Set<string>();
    for (const s of samples) {
      const img = decode(s);
      // 270x40 fits the cell: the pixels are the render's own, unscaled.
      const r = renderDesign(design, { seed: s.seed });
      expect([s.width, s.height]).toEqual([270, 40]);
      expect(exactDiff(img.data, r.pixels), `seed ${s.seed}`).toBe(0);
      expect(s.answer).toBe(r.challenge!.answer);
      hashes.add(img.data.toString('base64'));
    }
    expect(hashes.size).toBe(seeds.length);
    expect(new Set(samples.map((s) => s.answer)).size).toBeGreaterThan(1);
  });

  it('shrinks a large background to fit the cell, keeping its shape, and gives no answer', async () => {
    const preset = getPreset('sunset-background')!;
    const { samples } = await service.samples(preset, [7, 8]);
    const design = parseDesign(preset);
    for (const s of samples) {
      expect([s.width, s.height]).toEqual([SAMPLE_BOX.width, 152]);
      expect(s.answer).toBeNull();
      const r = renderDesign(design, { seed: s.seed });
      const want = downscale(r.pixels, r.width, r.height, s.width, s.height);
      expect(exactDiff(decode(s).data, want)).toBe(0);
    }
  });

  it(`refuses no seeds, more than ${MAX_SAMPLES}, and a seed out of range, naming them`, async () => {
    const preset = getPreset('seed-002-captcha')!;
    await expect(service.samples(preset, Array.from({ length: MAX_SAMPLES + 1 }, (_, i) => i))).rejects.toMatchObject({ field: 'seeds', message: `seeds: must be a list of 1 to ${MAX_SAMPLES} seeds` });
    await expect(service.samples(preset, [])).rejects.toMatchObject({ field: 'seeds' });
    await expect(service.samples(preset, 3)).rejects.toMatchObject({ field: 'seeds' });
    await expect(service.samples(preset, [1, 2, -1])).rejects.toMatchObject({ field: 'seeds.2', message: expect.stringMatching(/^seeds\.2: must be a whole number from 0 to 4294967295$/) });
    await expect(service.samples({ ...preset, width: 0 }, [1])).rejects.toMatchObject({ field: 'width' });
  });

  it('holds the whole set to the render budget, naming the costliest field and how many samples fit', async () => {
    // One image is well within the budget; sixteen of them are not.
    const big = { ...getPreset('bokeh-background')!, width: 7680, height: 4320 };
    const units = estimateCost(parseDesign(big), { mode: 'thumbnail' }).units;
    const budget = service.renderBudget();
    expect(units).toBeLessThan(budget);
    expect(units * MAX_SAMPLES).toBeGreaterThan(budget);
    const queued: number[] = [];
    const counting = new StudioService({ size: 2, addFont() {}, render: async () => void queued.push(1) } as unknown as RenderPool, undefined, false);
    const e = await refusal(() => counting.samples(big, Array.from({ length: MAX_SAMPLES }, (_, i) => i)));
    expect(e.issues).toHaveLength(1);
    expect(e.issues[0].field).toBe(estimateCost(parseDesign(big), { mode: 'thumbnail' }).top.field);
    expect(e.issues[0].rule).toMatch(new RegExp(`^${MAX_SAMPLES} samples of this design cost about .+ pixel operations to render; this route allows 5 G for a set \\(.+, or at most ${Math.floor(budget / units)} samples\\)$`));
    expect(queued).toEqual([]);
  });

  it('refuses image layers that name a file (designs from the web), which the desktop renders', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'samples-'));
    const file = join(dir, 'tile.png');
    const tile = new PNG({ width: 4, height: 4 });
    tile.data.fill(200);
    writeFileSync(file, PNG.sync.write(tile));
    const withFile = { ...getPreset('seed-000-background')!, width: 32, height: 32, background: [{ type: 'image', src: file }] };
    await expect(service.samples(withFile, [1])).rejects.toMatchObject({ field: 'background.0.src' });
    const desktop = new StudioService(pool);
    const { samples } = await desktop.samples(withFile, [1]);
    expect([samples[0].width, samples[0].height]).toEqual([32, 32]);
  });
});
