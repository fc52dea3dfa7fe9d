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
}

/** The design's own seed when it is locked, else a preview-only seed that Reroll replaces. */
export function usePreviewSeed(design: DesignInput | null, edit: (path: string, value: unknown) => void): PreviewSeed {
  const [previewSeed, setPreviewSeed] = useState(1);
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
  };
}
