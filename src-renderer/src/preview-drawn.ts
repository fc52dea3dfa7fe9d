/**
 * The event the preview canvas fires (bubbling) each time it shows new pixels. Nothing
 * in the app listens: it lets an observer outside the app, such as the preview
 * benchmark's page script, time input-to-pixels without code of its own in the UI.
 */
export const PREVIEW_DRAWN = 'preview-drawn';

export interface PreviewDrawnDetail {
  /** Which preview request these pixels answer (increasing). */
  seq: number;
  /** performance.now() when that request was made, from the edit's effect. */
  requestedAt: number;
  /**
   * performance.now() when the pixels were put on the canvas, when that happened before
   * this event: in the preview worker that owns the canvas (web mode), whose pixels reach
   * the screen without the main thread. Absent: they were put on it just now.
   */
  drawnAt?: number;
}
