// A query override changes the one field it names (server/query.ts): a signed `wave=`
// variant of a design must not drop the rest of its distortion, which would weaken it.
import { describe, expect, it } from 'vitest';
import { parseDesign } from '../../src-main/core/design.ts';
import { applyQuery } from '../../src-main/server/query.ts';

describe('query overrides', () => {
  it('wave= sets the wave amplitude and keeps its period and the warp', () => {
    const base = parseDesign({ width: 200, height: 60, text: {}, distortion: { wave: { amplitude: 4, period: 45 }, warp: { amplitude: 3, period: 40 } } });
    const d = applyQuery(base, new URLSearchParams('wave=2'));
    expect(d.distortion.wave).toMatchObject({ amplitude: 2, period: 45 });
    expect(d.distortion.warp).toEqual({ amplitude: 3, period: 40 });
  });

  it('noise overrides keep the other noise fields', () => {
    const base = parseDesign({ width: 200, height: 60, text: {}, noise: { lines: 3, curves: 2, dots: 10, lineWidth: 2 } });
    expect(applyQuery(base, new URLSearchParams('lines=1')).noise).toMatchObject({ lines: 1, curves: 2, dots: 10, lineWidth: 2 });
  });
});
