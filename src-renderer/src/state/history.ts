/**
 * Undo/redo over design edits. Only continuous edits of one field (dragging a slider,
 * typing in a text box) coalesce into one step, so Ctrl+Z undoes the drag, not each
 * pixel of it; a discrete action (a button, a menu choice, a checkbox) is always a step
 * of its own, however quickly it follows the last one.
 */
export interface History<T> {
  past: T[];
  present: T;
  future: T[];
  /** The field of the last continuous edit and when it happened, for coalescing; null after a discrete one. */
  lastKey: string | null;
  lastAt: number;
}

export const COALESCE_MS = 800;
export const MAX_STEPS = 200;

export type HistoryAction<T> =
  /** `key` set: a continuous edit of that field, merged with the previous one on the same key. Absent: a step of its own. */
  | { type: 'edit'; value: T; key?: string; at: number }
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
      const key = a.key ?? null;
      if (key !== null && h.lastKey === key && a.at - h.lastAt < COALESCE_MS) return { ...h, present: a.value, future: [], lastAt: a.at };
      return { past: [...h.past, h.present].slice(-MAX_STEPS), present: a.value, future: [], lastKey: key, lastAt: a.at };
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
