// Messages between the render pool and its worker threads.
import type { Design, DesignIssue } from '../core/design.ts';

export interface RenderJob {
  id: number;
  /** Identifies the design; the worker keeps recent ones, so repeats send only this. */
  key: string;
  /** Omitted when the worker should already hold `key`. */
  design?: Design;
  seed?: number;
  assetDir?: string;
}

export type RenderReply =
  | { id: number; ok: true; bytes: Uint8Array; mime: string; width: number; height: number; seed: number; deterministic: boolean; answer: string | null }
  | { id: number; ok: false; kind: 'design'; issues: DesignIssue[]; message: string }
  | { id: number; ok: false; kind: 'internal'; message: string }
  /** The worker no longer holds the job's design: send it again with the design. */
  | { id: number; ok: false; kind: 'missing-design' };

/** What the pool resolves with: the transferred bytes as a Buffer again. */
export type RenderOutput = Omit<Extract<RenderReply, { ok: true }>, 'bytes'> & { bytes: Buffer };
