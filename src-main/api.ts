/**
 * The one contract between the main process and the UI: `window.studio` in the
 * desktop app (preload bridge over IPC) and an HTTP client in web mode implement
 * this same interface. The renderer may import this file's types only.
 */
import type { Design, DesignInput } from './core/design.ts';
import type { PresetSummary } from './core/presets.ts';

export interface PreviewResult {
  width: number;
  height: number;
  /** PNG as a data: URL, ready for an <img>. */
  dataUrl: string;
  seed: number;
  answer: string | null;
}

export interface StudioApi {
  listPresets(): Promise<PresetSummary[]>;
  /** A built-in preset's full design, to edit. Rejects for an unknown name. */
  getPreset(name: string): Promise<Design>;
  /** Validates the design with the core schema; rejects with `field: rule` on bad input. */
  renderPreview(design: DesignInput, seed?: number): Promise<PreviewResult>;
}

/** IPC channel per API method. */
export const IPC = {
  listPresets: 'studio:list-presets',
  getPreset: 'studio:get-preset',
  renderPreview: 'studio:render-preview',
} as const satisfies Record<keyof StudioApi, string>;
