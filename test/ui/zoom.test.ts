import { describe, expect, it } from 'vitest';
import { BACKDROP_KEY, backdropBackground, DEFAULT_BACKDROP, loadBackdrop, saveBackdrop } from '../../src-renderer/src/state/backdrop.ts';
import { canStep, fitZoom, INITIAL_ZOOM, renderScale, resolveZoom, stepZoom, zoomOf, zoomReducer, ZOOMS, type ZoomAction } from '../../src-renderer/src/state/zoom.ts';

describe('zoom to fit', () => {
  it('shrinks a design to the room, never enlarges it, and floors to a whole percent', () => {
    expect(fitZoom({ width: 1920, height: 1080 }, { width: 1000, height: 400 })).toBe(0.37); // 400/1080 = 0.3703…
    expect(fitZoom({ width: 1920, height: 1080 }, { width: 960, height: 1000 })).toBe(0.5);
    expect(fitZoom({ width: 270, height: 40 }, { width: 1000, height: 400 })).toBe(1);
    expect(fitZoom({ width: 8192, height: 8192 }, { width: 50, height: 50 })).toBe(0.01);
    expect(fitZoom({ width: 100, height: 100 }, { width: 0, height: 0 })).toBe(1);
  });

  it('is 100% until the image and the room are known; a fixed zoom is itself', () => {
    expect(resolveZoom('fit', null, { width: 10, height: 10 })).toBe(1);
    expect(resolveZoom('fit', { width: 200, height: 100 }, { width: 100, height: 100 })).toBe(0.5);
    expect(resolveZoom(3, { width: 200, height: 100 }, { width: 100, height: 100 })).toBe(3);
  });
});

describe('zoom steps', () => {
  it('moves along the steps and holds at both ends', () => {
    expect(stepZoom(1, 1)).toBe(2);
    expect(stepZoom(1, -2)).toBe(0.25);
    expect(stepZoom(8, 1)).toBe(8);
    expect(stepZoom(0.25, -1)).toBe(0.25);
    expect(canStep(8, 1)).toBe(false);
    expect(canStep(0.25, -1)).toBe(false);
    expect(ZOOMS).toContain(1);
  });

  it('steps from a fitted zoom to the neighbouring step in that direction', () => {
    expect(stepZoom(0.37, 1)).toBe(0.5);
    expect(stepZoom(0.37, -1)).toBe(0.25);
    expect(stepZoom(0.1, -1)).toBe(0.1); // nothing smaller: stays fitted
    expect(stepZoom(0.1, 1)).toBe(0.25);
  });
});

describe('zoom state', () => {
  const run = (...actions: ZoomAction[]) => actions.reduce(zoomReducer, INITIAL_ZOOM);
  const room = { width: 960, height: 400 };
  const hd = { width: 1920, height: 1080 };

  it('starts fitted and re-fits when the room or the image changes', () => {
    expect(zoomOf(run({ type: 'room', room }, { type: 'shown', size: hd }))).toBe(0.37);
    expect(zoomOf(run({ type: 'room', room }, { type: 'shown', size: hd }, { type: 'room', room: { width: 480, height: 400 } }))).toBe(0.25);
    expect(zoomOf(run({ type: 'room', room }, { type: 'shown', size: { width: 270, height: 40 } }))).toBe(1);
  });

  it('leaves fit on a step, from the fitted zoom, and comes back to fit on "fit" and on opening a design', () => {
    const zoomedIn = run({ type: 'room', room }, { type: 'shown', size: hd }, { type: 'step', steps: 1 });
    expect([zoomedIn.setting, zoomOf(zoomedIn)]).toEqual([0.5, 0.5]);
    expect(zoomOf(zoomReducer(zoomedIn, { type: 'actual' }))).toBe(1);
    expect(zoomReducer(zoomedIn, { type: 'fit' }).setting).toBe('fit');
    const design = {};
    const opened = zoomReducer(zoomedIn, { type: 'opened', design, size: { width: 3840, height: 2160 } });
    // Fitted to the opened design's own size before its first image arrives.
    expect([opened.setting, zoomOf(opened)]).toEqual(['fit', 0.18]);
    expect(zoomOf(zoomReducer(opened, { type: 'shown', size: { width: 3840, height: 2160 } }))).toBe(0.18);
    expect(zoomOf(zoomReducer(opened, { type: 'shown', size: hd }))).toBe(0.37);
  });

  it('returns the same state for no change, so the view does not re-render', () => {
    const s = run({ type: 'room', room }, { type: 'shown', size: hd });
    expect(zoomReducer(s, { type: 'room', room: { ...room } })).toBe(s);
    expect(zoomReducer(s, { type: 'shown', size: { ...hd } })).toBe(s);
    expect(zoomReducer(s, { type: 'fit' })).toBe(s);
  });
});

describe('preview render scale', () => {
  it('renders at the displayed size below 100%, device pixel ratio included, and full size from 100% up', () => {
    expect(renderScale(0.5, 1)).toBe(0.5);
    expect(renderScale(0.37, 2)).toBe(0.74);
    expect(renderScale(1, 1)).toBeNull();
    expect(renderScale(3, 2)).toBeNull();
    // Never finer than the design's own scale: that is its full size.
    expect(renderScale(0.75, 2)).toBeNull();
    expect(renderScale(0.75, 2, 2)).toBe(1.5);
  });
});

describe('backdrop', () => {
  const store = () => {
    const m = new Map<string, string>();
    return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), m };
  };

  it('remembers the choice and the custom colour', () => {
    const s = store();
    expect(loadBackdrop(s)).toEqual(DEFAULT_BACKDROP);
    saveBackdrop({ kind: 'custom', color: '#112233' }, s);
    expect(loadBackdrop(s)).toEqual({ kind: 'custom', color: '#112233' });
    expect(backdropBackground(loadBackdrop(s))).toBe('#112233');
  });

  it('falls back to the default on a value it did not write', () => {
    const s = store();
    for (const v of ['{', '{"kind":"plaid","color":"#112233"}', '{"kind":"custom","color":"red; background: url(x)"}']) {
      s.m.set(BACKDROP_KEY, v);
      expect(loadBackdrop(s)).toEqual(DEFAULT_BACKDROP);
    }
  });
});
