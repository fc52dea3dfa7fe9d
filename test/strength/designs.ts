/** Designs the strength tests know the answer for: an easy flat one, and the presets. */
import { parseDesign, type Design } from '../../src-main/core/design.ts';
import { getPreset } from '../../src-main/core/presets.ts';

/** Black DejaVu Sans on white, no jitter, noise, rotation or wave: anything should read it. */
export const FLAT: Design = parseDesign({
  name: 'flat',
  width: 200,
  height: 60,
  background: [{ type: 'solid', color: '#ffffff' }],
  text: { charset: 'unambiguous', length: 5, fonts: ['DejaVu Sans'], size: 30, sizeJitter: 0, rotation: 0, baselineJitter: 0, spacing: 0.1, color: { mode: 'palette', palette: ['#000000'] } },
});

/** A plain sum in black on white: its questions are easy to read. */
export const FLAT_MATH: Design = parseDesign({
  name: 'flat-math',
  width: 200,
  height: 60,
  background: [{ type: 'solid', color: '#ffffff' }],
  text: { mode: 'math', math: { operators: ['+', '-', '*'], min: 1, max: 20 }, fonts: ['DejaVu Sans'], size: 30, sizeJitter: 0, rotation: 0, baselineJitter: 0, spacing: 0.05, color: { mode: 'palette', palette: ['#000000'] } },
});

export const preset = (name: string): Design => getPreset(name)!;

/** Fixed fresh seeds (outside the checked 1..64), so the rates these tests see do not vary run to run. */
export const SEEDS: readonly number[] = Array.from({ length: 30 }, (_, i) => 1_000_003 + i * 7919);
