/**
 * Undo/redo over design edits. Rapid edits of one field (dragging a slider,
 * typing a number) coalesce into one step, so Ctrl+Z undoes the drag, not each
 * pixel of it.
 */
export interface History<T> {
  past: T[];
  present: T;
  future: T[];
  /** The field of the last edit and when it happened, for coalescing. */
  lastKey: string | null;
  lastAt: number;
}

export const COALESCE_MS = 800;
export const MAX_STEPS = 200;

export type HistoryAction<T> =
  | { type: 'edit'; value: T; key: string; at: number }
  | { type: 'reset'; value: T }
  | { type: 'undo' }
  | { type: 'redo' };

export function initHistory<T>(value: T): History<T> {
  return { past: [], present: value, future: [], lastKey: null, lastAt: 0 };
}

export function historyReducer<T>(h: History<T>, a: HistoryAction<T>): History<T> {
  switch (a.type) {
    case 'edit': {
      if (a.value === h.present) return h;
      if (h.lastKey === a.key && a.at - h.lastAt < COALESCE_MS) return { ...h, present: a.value, future: [], lastAt: a.at };
      return { past: [...h.past, h.present].slice(-MAX_STEPS), present: a.value, future: [], lastKey: a.key, lastAt: a.at };
    }
    case 'reset':
      return initHistory(a.value);
    case 'undo': {
      if (h.past.length === 0) return h;
      return { past: h.past.slice(0, -1), present: h.past[h.past.length - 1], future: [h.present, ...h.future], lastKey: null, lastAt: 0 };
    }
    case 'redo': {
      if (h.future.length === 0) return h;
      return { past: [...h.past, h.present], present: h.future[0], future: h.future.slice(1), lastKey: null, lastAt: 0 };
    }
  }
}
