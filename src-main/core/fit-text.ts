/** "Fit text to canvas": the changes that keep every glyph inside the canvas. */
import type { Design } from './design.ts';
import { fontRegistry, type FontRegistry } from './fonts.ts';

/** One field to set, by its dotted path in the design (as the inspector's fields name them). */
export interface DesignChange {
  path: string;
  value: unknown;
}

export function fitText(design: Design, fonts: FontRegistry = fontRegistry()): DesignChange[] {
  void design;
  void fonts;
  return [];
}
