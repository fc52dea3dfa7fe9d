/**
 * The preview canvas handed to a worker (web mode): the preview worker
 * (preview-worker.ts) receives each preview from the server and puts its pixels on the
 * canvas itself, so new pixels reach the screen without waiting for the page's main
 * thread, which is busy laying out and painting the edit that asked for them.
 * An API that can do this (web-api.ts) carries these two functions beside StudioApi.
 */
import type { PreviewOutcome } from '../../src-main/api.ts';

export interface PreviewCanvasHost {
  /** Gives the canvas to the worker for good (transferControlToOffscreen); false when it could not. */
  attachPreviewCanvas(canvas: HTMLCanvasElement): boolean;
  /** Draws pixels that did not come through the worker onto the canvas it owns. */
  drawOnPreviewCanvas(img: { width: number; height: number; pixels: Uint8Array }): void;
}

/** A preview the worker has already drawn: when, in this page's performance.now() time. */
export interface DrawnPreview {
  drawnAt?: number;
}

export function isPreviewCanvasHost(api: object): api is PreviewCanvasHost {
  return 'attachPreviewCanvas' in api && 'drawOnPreviewCanvas' in api;
}

/** Messages to the preview worker. */
export type ToPreviewWorker =
  | { type: 'init'; base: string; client: string }
  | { type: 'canvas'; canvas: OffscreenCanvas }
  | { type: 'render'; id: number; design: unknown; seed: number; view?: { scale: number } | null }
  | { type: 'draw'; width: number; height: number; pixels: Uint8Array };

/** Its answers: one per render, with the outcome (pixels transferred back) and, when it drew them, the time (its clock: timeOrigin + now). */
export type FromPreviewWorker = { type: 'done'; id: number; outcome?: PreviewOutcome; drawnAt?: number; error?: string };
