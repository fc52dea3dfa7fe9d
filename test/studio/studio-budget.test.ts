/**
 * The studio's previews, thumbnails, exports and batches check the render budget
 * (core/cost.ts) before anything reaches the pool: an over-budget design is
 * refused with its costliest field and never queued.
 */
import { describe, expect, it } from 'vitest';
import { RENDER_BUDGETS } from '../../src-main/core/cost.ts';
import { DesignError, LIMITS } from '../../src-main/core/design.ts';
import { getPreset } from '../../src-main/core/presets.ts';
import type { RenderPool } from '../../src-main/render/pool.ts';
import { StudioService } from '../../src-main/studio/studio-service.ts';

/** Stands in for the pool: records what was queued and answers at once. */
function fakePool() {
  const queued: string[] = [];
  const out = { bytes: Buffer.alloc(4), mime: 'image/png', width: 1, height: 1, seed: 1, deterministic: true, answer: null };
  const pool = {
    size: 1,
    addFont() {},
    render: async (d: { name: string }, o: { mode?: string } = {}) => (queued.push(`${o.mode ?? 'encoded'} ${d.name}`), out),
    renderMany: async (d: { name: string }, n: number) => (queued.push(`many ${d.name}`), Array.from({ length: n }, () => out)),
  };
  return { pool: pool as unknown as RenderPool, queued };
}

const attack = { name: 'attack', width: 1920, height: 1080, background: Array.from({ length: 32 }, () => ({ type: 'bubbles', count: LIMITS.bubbles, minRadius: 4096, maxRadius: 4096 })) };

async function refusal(p: Promise<unknown> | (() => unknown)): Promise<DesignError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (e instanceof DesignError) return e;
    throw e;
  }
  throw new Error('was not refused');
}

describe('the studio service holds designs to the render budget before queueing them', () => {
  for (const [mode, filesAllowed, owner] of [
    ['web mode', false, 'this route'],
    ['the desktop', true, 'the desktop app'],
  ] as const) {
    it(`${mode}: previews, thumbnails and exports over budget are refused with the field and the rule; nothing is queued`, async () => {
      const { pool, queued } = fakePool();
      const service = new StudioService(pool, undefined, filesAllowed);
      const budget = filesAllowed ? RENDER_BUDGETS.desktop : RENDER_BUDGETS.design;
      expect(service.renderBudget()).toBe(budget);
      const rule = new RegExp(`^this design costs about .* pixel operations to render; ${owner} allows 5 G \\(fewer or smaller bubbles, a smaller canvas\\)$`);

      const preview = await service.preview('c1', attack, 1);
      expect(preview.ok).toBe(false);
      if (preview.ok) return;
      expect(preview.issues).toEqual([{ field: expect.stringMatching(/^background\.\d+\.count$/), rule: expect.stringMatching(rule) }]);

      for (const e of [await refusal(service.thumbnail(attack)), await refusal(() => service.exportImage(attack)), await refusal(() => service.checkRenderBudget(service.design(attack)))]) {
        expect(e.field).toMatch(/^background\.\d+\.count$/);
        expect(e.issues[0].rule).toMatch(rule);
      }
      expect(queued).toEqual([]);

      // The heaviest presets at the largest area still go through.
      const big = { ...getPreset('bokeh-background')!, width: 7680, height: 4320 };
      expect((await service.preview('c1', big, 1)).ok).toBe(true);
      await service.thumbnail(big);
      await service.exportImage(big);
      expect(queued).toEqual(['raw bokeh-background', 'thumbnail bokeh-background', 'encoded bokeh-background']);
    });
  }
});
