/**
 * The open design document: its undo history, where it came from, whether it has
 * unsaved changes, and opening, saving and starting. Every rule about designs lives in
 * the main process; this only keeps track of which design is open and what was saved.
 */
import { useCallback, useEffect, useEffectEvent, useReducer, useState } from 'react';
import type { Design, DesignInput, OpenedDesign, StudioApi } from '../../../src-main/api.ts';
import type { ConfirmChoice } from '../components/ConfirmDialog.tsx';
import type { EditOptions } from '../design-types.ts';
import { setIn } from '../state/design-path.ts';
import { historyReducer, initHistory } from '../state/history.ts';
import { useStableCallback } from './useStableCallback.ts';

const START_PRESET = 'seed-002-captcha';
/** What New opens. */
const NEW_PRESET = 'classic-captcha';

interface Source {
  /** Preset name or file name, shown in the title. */
  name: string;
  /** The file it was opened from or saved to (desktop), for Save without a dialog. */
  path: string | null;
  /** JSON of the design as last opened or saved: anything else is unsaved. */
  saved: string;
  preset: string | null;
}

type Loaded = OpenedDesign | { design: Design; name: string; path: null; preset: string };

export type OpenFrom = Parameters<StudioApi['openDesign']>[0];

export interface DesignDocument {
  design: DesignInput | null;
  name: string;
  /** The preset it was opened from, until it is saved as a file. */
  preset: string | null;
  dirty: boolean;
  canUndo: boolean;
  canRedo: boolean;
  /** Changes when the recent-designs list may have changed (after open and save). */
  recentVersion: number;
  /** The pending "Save changes?" question, for a dialog to answer. */
  confirm: ((choice: ConfirmChoice) => void) | null;
  edit(path: string, value: unknown, opts?: EditOptions): void;
  undo(): void;
  redo(): void;
  /** Saves to its file (or asks where); false when cancelled or failed. */
  save(saveAs?: boolean): Promise<boolean>;
  openPreset(name: string): Promise<void>;
  openFrom(from?: OpenFrom): Promise<void>;
  newDesign(): Promise<void>;
}

/**
 * `notify` shows a one-line message (or clears it with null); it must keep its identity
 * (a state setter), since the start effect depends on it. In web mode a dirty
 * document makes the browser ask before the tab closes; on the desktop the main
 * process asks, from the title and dirty flag sent to it here.
 */
export function useDocument(
  api: StudioApi,
  opts: {
    mode: 'desktop' | 'web';
    notify(message: string | null): void;
    /** Told each edited design as the edit is made, before React renders it (the preview asks for it then). */
    onEdit?(next: DesignInput): void;
  },
): DesignDocument {
  const { mode, notify } = opts;
  const onEdit = useStableCallback((next: DesignInput) => opts.onEdit?.(next));
  const [history, dispatch] = useReducer(historyReducer<DesignInput | null>, null, initHistory);
  const design = history.present;
  const [source, setSource] = useState<Source>({ name: START_PRESET, path: null, saved: '', preset: START_PRESET });
  const [recentVersion, setRecentVersion] = useState(0);
  const [confirm, setConfirm] = useState<((c: ConfirmChoice) => void) | null>(null);
  const dirty = design !== null && JSON.stringify(design) !== source.saved;

  const load = useCallback((opened: Loaded, markSaved = true) => {
    dispatch({ type: 'reset', value: opened.design });
    setSource({ name: opened.name, path: opened.path, saved: markSaved ? JSON.stringify(opened.design) : '', preset: 'preset' in opened ? opened.preset : null });
  }, []);

  // Start: the autosaved design if there is one (nothing is lost across a crash), else the seed-002 captcha.
  useEffect(() => {
    let live = true;
    void (async () => {
      // A broken autosave is kept aside by the main process; say where, then start fresh.
      const restored = await api.restoreAutosave().catch((e: Error) => (notify(e.message), null));
      if (!live) return;
      if (restored) {
        // The autosave keeps the design only; its own name is what the user called it (not "autosave").
        load({ ...restored, name: restored.design.name || restored.name }, false);
        notify('Restored your unsaved design from the last session.');
      } else {
        const d = await api.getPreset(START_PRESET);
        if (live) load({ design: d, name: START_PRESET, path: null, preset: START_PRESET });
      }
    })().catch((e: Error) => notify(e.message));
    return () => {
      live = false;
    };
  }, [api, load, notify]);

  useEffect(() => {
    void api.setDocumentState({ title: source.name, dirty }).catch(() => {});
  }, [api, source.name, dirty]);

  // One listener for the page's life, reading the flag: adding and removing it each time an
  // edit made the design clean or dirty again told the browser each time (measured at about
  // 0.3 ms of the page's main thread between an edit and its preview).
  const isDirty = useEffectEvent(() => dirty);
  useEffect(() => {
    if (mode !== 'web') return;
    const warn = (e: BeforeUnloadEvent) => {
      if (isDirty()) e.preventDefault();
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [mode]);

  const edit = useCallback(
    (path: string, value: unknown, opts?: EditOptions) => {
      if (!design) return;
      const next = setIn(design, path, value);
      onEdit(next);
      dispatch({ type: 'edit', value: next, key: opts?.continuous ? path : undefined, at: performance.now() });
    },
    [design, onEdit],
  );

  const save = async (saveAs = false): Promise<boolean> => {
    if (!design) return false;
    try {
      const r = await api.saveDesign(design, { path: source.path, saveAs });
      if (!r) return false;
      setSource((s) => ({ ...s, name: r.name, path: r.path, saved: JSON.stringify(design), preset: null }));
      void api.autosave(null);
      setRecentVersion((v) => v + 1);
      notify(r.path ? `Saved ${r.path}` : `Downloaded ${r.name}`);
      return true;
    } catch (e) {
      notify((e as Error).message); // e.g. a read-only folder: the old file is untouched
      return false;
    }
  };

  /** Runs `then` after asking about unsaved changes (Save / Discard / Cancel). */
  const guard = async (then: () => void | Promise<void>) => {
    if (dirty) {
      const choice = await new Promise<ConfirmChoice>((resolve) => setConfirm(() => resolve));
      setConfirm(null);
      if (choice === 'cancel') return;
      if (choice === 'save' && !(await save())) return;
    }
    await then();
  };

  const openPreset = (name: string) =>
    guard(async () => {
      try {
        load({ design: await api.getPreset(name), name, path: null, preset: name });
        notify(null);
      } catch (e) {
        notify((e as Error).message);
      }
    });

  const openFrom = (from?: OpenFrom) =>
    guard(async () => {
      try {
        const opened = await api.openDesign(from);
        if (opened) {
          load(opened);
          setRecentVersion((v) => v + 1);
          notify(null);
        }
      } catch (e) {
        // A corrupt or newer file: reported with its name and the problem, and left as it is.
        notify((e as Error).message);
      }
    });

  const undo = useCallback(() => dispatch({ type: 'undo' }), []);
  const redo = useCallback(() => dispatch({ type: 'redo' }), []);
  // Stable identities: memoised children given these (the sidebar) then ignore preview updates.
  const stableSave = useStableCallback(save);
  const stableOpenPreset = useStableCallback(openPreset);
  const stableOpenFrom = useStableCallback(openFrom);
  const newDesign = useStableCallback(() => openPreset(NEW_PRESET));

  return {
    design,
    name: source.name,
    preset: source.preset,
    dirty,
    canUndo: history.past.length > 0,
    canRedo: history.future.length > 0,
    recentVersion,
    confirm,
    edit,
    undo,
    redo,
    save: stableSave,
    openPreset: stableOpenPreset,
    openFrom: stableOpenFrom,
    newDesign,
  };
}
