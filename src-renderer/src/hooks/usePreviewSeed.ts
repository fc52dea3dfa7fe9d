import { useState } from 'react';
import type { DesignInput } from '../../../src-main/api.ts';

/**
 * A fresh seed for Reroll. core/random.ts has the same function, but the UI may not
 * import the core at runtime (only its types cross into the page), so this is the
 * UI's one copy: a uniform 32-bit seed, the schema's whole seed range.
 */
function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}

export interface PreviewSeed {
  /** The seed the preview draws with. */
  seed: number;
  /** Whether the design carries its seed (exports and /designs/ URLs then repeat this image). */
  locked: boolean;
  reroll(): void;
  lock(on: boolean): void;
  /** The seed the preview will draw `design` with (an edit about to be made): its own when locked. */
  seedFor(design: DesignInput): number;
  /** Shows the design at `seed` (a sample picked in the grid); a locked design gets it as its seed. */
  pick(seed: number): void;
}

/**
 * The design's own seed when it is locked, else a preview-only seed that Reroll replaces.
 * `fresh`: the document has no undo history (nothing to undo or redo), which is true from
 * the moment a design is opened until its first edit. A design seen fresh that was not
 * seen before is a newly opened one (a preset, New, a file, the autosave): it gets a
 * random preview seed, so presets do not all open on the same seed (and text).
 */
export function usePreviewSeed(design: DesignInput | null, edit: (path: string, value: unknown) => void, fresh = false): PreviewSeed {
  const [previewSeed, setPreviewSeed] = useState(randomSeed);
  const [opened, setOpened] = useState<DesignInput | null>(null);
  if (fresh && design && design !== opened) {
    // Adjusted while rendering (React's pattern for state derived from props): the first preview already uses it.
    setOpened(design);
    if (opened) setPreviewSeed(randomSeed());
  }
  const locked = typeof design?.seed === 'number';
  return {
    seed: locked ? (design!.seed as number) : previewSeed,
    locked,
    reroll() {
      const s = randomSeed();
      if (locked) edit('seed', s);
      else setPreviewSeed(s);
    },
    lock: (on) => edit('seed', on ? previewSeed : undefined),
    seedFor: (d) => (typeof d.seed === 'number' ? d.seed : previewSeed),
    pick(seed) {
      if (locked) edit('seed', seed);
      else setPreviewSeed(seed);
    },
  };
}
