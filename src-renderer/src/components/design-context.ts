import { createContext, useContext } from 'react';
import type { DesignInput, StudioApi } from '../../../src-main/api.ts';
import type { EditOptions } from '../design-types.ts';

export type { EditOptions };

export interface DesignCtx {
  design: DesignInput;
  /**
   * Replaces the value at a dotted path (undefined removes an optional field); the
   * empty path replaces the whole design, which is how several changes make one undo step.
   */
  edit(path: string, value: unknown, opts?: EditOptions): void;
  /** The rule the field at `path` breaks, from the latest preview's issues. */
  issue(path: string): string | undefined;
  /** The latest image's legibility warnings (e.g. glyphs outside the canvas), each naming its field. */
  warnings?: readonly { field: string; rule: string }[];
}

export const DesignContext = createContext<DesignCtx | null>(null);

export function useDesign(): DesignCtx {
  const c = useContext(DesignContext);
  if (!c) throw new Error('useDesign outside DesignContext');
  return c;
}

export const ApiContext = createContext<StudioApi | null>(null);

export function useApi(): StudioApi {
  const a = useContext(ApiContext);
  if (!a) throw new Error('useApi outside ApiContext');
  return a;
}
