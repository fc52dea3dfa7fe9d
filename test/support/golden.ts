/**
 * Golden images: every preset at a fixed seed. Full-HD backgrounds are rendered
 * at a quarter of their width and height to keep the repository small; the
 * scaling is part of the design, so the golden still covers every layer.
 */
import { getPreset, presetNames } from '../../src-main/core/presets.ts';
import type { Design } from '../../src-main/core/design.ts';

export const GOLDEN_SEED = 1234;
export const GOLDEN_DIR = new URL('../core/golden/', import.meta.url);

export function goldenDesign(name: string): Design {
  const d = getPreset(name)!;
  if (d.width > 800) {
    d.width = Math.round(d.width / 4);
    d.height = Math.round(d.height / 4);
  }
  d.output.compression = 9;
  return d;
}

export const goldenNames = presetNames;
