import { describe, expect, it } from 'vitest';
import { COALESCE_MS, historyReducer, initHistory } from '../../src-renderer/src/state/history.ts';
import { fieldLabel, getIn, setIn } from '../../src-renderer/src/state/design-path.ts';

describe('undo/redo history', () => {
  it('undoes and redoes edits in order; a new edit drops the redo branch', () => {
    let h = initHistory({ w: 1 });
    h = historyReducer(h, { type: 'edit', value: { w: 2 }, key: 'w', at: 0 });
    h = historyReducer(h, { type: 'edit', value: { w: 3 }, key: 'h', at: 10 });
    h = historyReducer(h, { type: 'undo' });
    expect(h.present).toEqual({ w: 2 });
    h = historyReducer(h, { type: 'undo' });
    expect(h.present).toEqual({ w: 1 });
    h = historyReducer(h, { type: 'undo' });
    expect(h.present).toEqual({ w: 1 });
    h = historyReducer(h, { type: 'redo' });
    expect(h.present).toEqual({ w: 2 });
    h = historyReducer(h, { type: 'edit', value: { w: 9 }, key: 'w', at: 5000 });
    expect(h.future).toEqual([]);
    expect(historyReducer(h, { type: 'redo' })).toBe(h);
  });

  it('coalesces a drag on one field into one step, but not edits far apart or on other fields', () => {
    let h = initHistory(0);
    for (let i = 1; i <= 20; i++) h = historyReducer(h, { type: 'edit', value: i, key: 'width', at: i * 16 });
    expect(h.past).toEqual([0]);
    h = historyReducer(h, { type: 'edit', value: 21, key: 'width', at: 20 * 16 + COALESCE_MS + 1 });
    expect(h.past).toEqual([0, 20]);
    h = historyReducer(h, { type: 'edit', value: 22, key: 'height', at: 20 * 16 + COALESCE_MS + 2 });
    expect(h.past).toEqual([0, 20, 21]);
  });

  it('never merges discrete actions, however quick: two Add layer clicks, Lock seed then Reroll are two steps each', () => {
    let h = initHistory({ layers: 1, seed: undefined as number | undefined });
    h = historyReducer(h, { type: 'edit', value: { layers: 2, seed: undefined }, at: 0 });
    h = historyReducer(h, { type: 'edit', value: { layers: 3, seed: undefined }, at: 5 });
    h = historyReducer(h, { type: 'edit', value: { layers: 3, seed: 7 }, at: 10 });
    h = historyReducer(h, { type: 'edit', value: { layers: 3, seed: 9 }, at: 15 });
    expect(h.past.map((d) => [d.layers, d.seed])).toEqual([
      [1, undefined],
      [2, undefined],
      [3, undefined],
      [3, 7],
    ]);
    // A continuous edit right after a discrete one on the same field starts its own step too.
    h = historyReducer(h, { type: 'edit', value: { layers: 3, seed: 10 }, key: 'seed', at: 16 });
    h = historyReducer(h, { type: 'edit', value: { layers: 3, seed: 11 }, key: 'seed', at: 17 });
    expect(h.past.length).toBe(5);
  });

  it('reset starts a new document history', () => {
    const h = historyReducer(historyReducer(initHistory(1), { type: 'edit', value: 2, key: 'a', at: 0 }), { type: 'reset', value: 5 });
    expect(h).toMatchObject({ past: [], present: 5, future: [] });
  });
});

describe('design paths', () => {
  it('sets nested values immutably and deletes with undefined', () => {
    const d = { text: { fonts: ['A'], color: { mode: 'random' } }, width: 1 };
    const e = setIn(d, 'text.fonts.1', 'B');
    expect(e.text.fonts).toEqual(['A', 'B']);
    expect(d.text.fonts).toEqual(['A']);
    expect(e.width).toBe(1);
    expect(e.text.color).toBe(d.text.color); // untouched branches are shared
    expect(getIn(setIn(d, 'text.color', undefined), 'text')).toEqual({ fonts: ['A'] });
    expect(getIn(d, 'text.missing.deep')).toBeUndefined();
  });
});

describe('field labels in messages', () => {
  it('count layers, stops and palette colours from 1, as the inspector shows them', () => {
    expect(fieldLabel('background.1.color')).toBe('Layer 2 › colour');
    expect(fieldLabel('background.0.stops.2.offset')).toBe('Layer 1 › stop 3 › offset');
    expect(fieldLabel('text.color.palette.0')).toBe('Text › colour › colour 1');
    expect(fieldLabel('background.3.box.2')).toBe('Layer 4 › box x1');
    expect(fieldLabel('noise.lineWidth')).toBe('Noise › line width');
    expect(fieldLabel('width')).toBe('Width');
  });
});
