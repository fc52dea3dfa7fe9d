// Messages between the render pool and its workers (threads or child processes: the same messages).
import type { Design, DesignIssue } from '../core/design.ts';
import type { GlyphBox } from '../core/text.ts';

export interface RenderJob {
  id: number;
  /** Identifies the design; the worker keeps recent ones, so repeats send only this. */
  key: string;
  /** Omitted when the worker should already hold `key`. */
  design?: Design;
  seed?: number;
  assetDir?: string;
  /** Render this many fresh images of the design in one go (random designs only). */
  count?: number;
  /**
   * encoded (default): the design's output format; raw: RGBA pixels for a preview; thumbnail: a small PNG;
   * fit-text: no image, the core's fitText changes as UTF-8 JSON (text layout needs the native canvas, kept off the main process).
   */
  mode?: 'encoded' | 'raw' | 'thumbnail' | 'fit-text';
  /** Mode raw only: device pixels per design pixel to render at instead of the design's scale (core RenderOptions.viewScale). */
  viewScale?: number;
  /**
   * Mode raw only: the pixels as a fast PNG (core/png.ts effort 2, mime image/png) instead of
   * raw bytes, for a page that decodes them itself: a big raw preview costs Chromium more
   * to receive than the PNG costs to make and decode (studio/preview.ts, PNG_PREVIEW_FROM_BYTES).
   */
  pack?: 'png';
  /**
   * Process workers only: a private folder (in memory on Linux) where large raw
   * pixels are written as `rawFileName(pid, id, index)` instead of being copied
   * through the IPC channel, which costs several copies of them.
   */
  rawDir?: string;
}

/** Raw pixels at least this large go through rawDir when there is one. */
export const RAW_FILE_MIN_BYTES = 1 << 20;

/** Where a process worker leaves item `index` of job `id`; the pool computes the same name, never taking a path from the worker. */
export function rawFileName(pid: number, id: number, index: number): string {
  return `${pid}-${id}-${index}.rgba`;
}

/** Not a render: makes a font file the user added available to the worker's registry. */
export interface FontMessage {
  kind: 'font';
  file: string;
}

export interface RenderedItem {
  /** Encoded image; for mode raw, the RGBA pixels. */
  bytes: Uint8Array;
  mime: string;
  width: number;
  height: number;
  seed: number;
  deterministic: boolean;
  answer: string | null;
  /** The pixels are in the job's rawDir (and `bytes` is empty). */
  inRawDir?: boolean;
  /** Mode raw: device pixels per design pixel rendered. */
  scale?: number;
  /** Mode raw: where each character was drawn (design pixels), and the legibility warnings about them. */
  glyphs?: GlyphBox[];
  warnings?: DesignIssue[];
}

export type RenderReply =
  | { id: number; ok: true; items: RenderedItem[] }
  | { id: number; ok: false; kind: 'design'; issues: DesignIssue[]; message: string }
  | { id: number; ok: false; kind: 'internal'; message: string }
  /** The worker no longer holds the job's design: send it again with the design. */
  | { id: number; ok: false; kind: 'missing-design' };

/** Everything the pool sends a worker. */
export type ToWorker = RenderJob | FontMessage;

/** Sent once when the worker has loaded and listens: a death before it is a start-up failure, not the design's fault. */
export interface ReadyMessage {
  kind: 'ready';
}

/** Everything a worker sends the pool. */
export type FromWorker = RenderReply | ReadyMessage;

/** What the pool resolves with: the transferred bytes as a Buffer again. */
export type RenderOutput = Omit<RenderedItem, 'bytes' | 'inRawDir'> & { bytes: Buffer };
