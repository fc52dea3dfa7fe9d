/**
 * The designer: presets and recents on the left, the live preview in the centre,
 * the inspector on the right. It only gathers a design and asks the StudioApi
 * for pixels; every rule about designs lives in the main process.
 */
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import type { Design, DesignInput, MenuCommand, OpenedDesign, StudioApi, StudioInfo } from '../../src-main/api.ts';
import { ConfirmDialog, type ConfirmChoice } from './components/ConfirmDialog.tsx';
import { ApiContext, DesignContext, type DesignCtx } from './components/design-context.ts';
import { ExportPanel } from './components/ExportPanel.tsx';
import { Inspector } from './components/Inspector.tsx';
import { PreviewPane, ZOOMS } from './components/PreviewPane.tsx';
import { ServerPanel } from './components/ServerPanel.tsx';
import { Sidebar } from './components/Sidebar.tsx';
import { usePreview } from './hooks/usePreview.ts';
import { setIn } from './state/design-path.ts';
import { historyReducer, initHistory } from './state/history.ts';

const START_PRESET = 'seed-002-captcha';

interface Doc {
  /** Preset name or file name, shown in the title. */
  name: string;
  /** The file it was opened from or saved to (desktop), for Save without a dialog. */
  path: string | null;
  /** JSON of the design as last opened or saved: anything else is unsaved. */
  saved: string;
  preset: string | null;
}

function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}

/** A callback with a fixed identity that always runs the latest closure. */
function useStableCallback<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  const latest = useRef(fn);
  latest.current = fn;
  return useCallback((...args: A) => latest.current(...args), []);
}

export function App({ api }: { api: StudioApi }) {
  const [info, setInfo] = useState<StudioInfo>({ mode: 'web', version: '', problems: [] });
  const [history, dispatch] = useReducer(historyReducer<DesignInput | null>, null, initHistory);
  const design = history.present;
  const [doc, setDoc] = useState<Doc>({ name: START_PRESET, path: null, saved: '', preset: START_PRESET });
  const [previewSeed, setPreviewSeed] = useState(1);
  const [zoom, setZoom] = useState(1);
  const [notice, setNotice] = useState<string | null>(null);
  const [recentVersion, setRecentVersion] = useState(0);
  const [confirm, setConfirm] = useState<((c: ConfirmChoice) => void) | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const locked = typeof design?.seed === 'number';
  const seed = locked ? (design!.seed as number) : previewSeed;
  const preview = usePreview(api, design, seed);
  const valid = preview.issues.length === 0 && preview.image !== null;
  const dirty = design !== null && JSON.stringify(design) !== doc.saved;

  const load = useCallback((opened: OpenedDesign | { design: Design; name: string; path: null; preset: string }, markSaved = true) => {
    dispatch({ type: 'reset', value: opened.design });
    setDoc({ name: opened.name, path: opened.path, saved: markSaved ? JSON.stringify(opened.design) : '', preset: 'preset' in opened ? opened.preset : null });
  }, []);

  // Start: the autosaved design if there is one (nothing is lost across a crash), else the seed-002 captcha.
  useEffect(() => {
    let live = true;
    void api.info().then(
      (i) => {
        if (!live) return;
        setInfo(i);
        if (i.problems?.length) setNotice(i.problems.join(' · '));
      },
      () => {},
    );
    void (async () => {
      // A broken autosave is kept aside by the main process; say where, then start fresh.
      const restored = await api.restoreAutosave().catch((e: Error) => (setNotice(e.message), null));
      if (!live) return;
      if (restored) {
        load(restored, false);
        setNotice('Restored your unsaved design from the last session.');
      } else {
        const d = await api.getPreset(START_PRESET);
        if (live) load({ design: d, name: START_PRESET, path: null, preset: START_PRESET });
      }
    })().catch((e: Error) => setNotice(e.message));
    return () => {
      live = false;
    };
  }, [api, load]);

  useEffect(() => {
    void api.setDocumentState({ title: doc.name, dirty }).catch(() => {});
  }, [api, doc.name, dirty]);

  // Autosave the last valid design shortly after edits stop.
  useEffect(() => {
    if (!design || !valid || !dirty) return;
    const t = setTimeout(() => void api.autosave(design).catch(() => {}), 1000);
    return () => clearTimeout(t);
  }, [api, design, valid, dirty]);

  useEffect(() => {
    if (info.mode !== 'web' || !dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [info.mode, dirty]);

  const edit = useCallback(
    (path: string, value: unknown) => {
      if (!design) return;
      dispatch({ type: 'edit', value: setIn(design, path, value), key: path, at: performance.now() });
    },
    [design],
  );
  const ctx = useMemo<DesignCtx | null>(() => {
    if (!design) return null;
    const byField = new Map(preview.issues.map((i) => [i.field, i.rule]));
    return { design, edit, issue: (p) => byField.get(p) };
  }, [design, edit, preview.issues]);

  const save = async (saveAs = false): Promise<boolean> => {
    if (!design) return false;
    try {
      const r = await api.saveDesign(design, { path: doc.path, saveAs });
      if (!r) return false;
      setDoc((d) => ({ ...d, name: r.name, path: r.path, saved: JSON.stringify(design), preset: null }));
      void api.autosave(null);
      setRecentVersion((v) => v + 1);
      setNotice(r.path ? `Saved ${r.path}` : `Downloaded ${r.name}`);
      return true;
    } catch (e) {
      setNotice((e as Error).message); // e.g. a read-only folder: the old file is untouched
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
        setNotice(null);
      } catch (e) {
        setNotice((e as Error).message);
      }
    });
  const openFrom = (from?: Parameters<StudioApi['openDesign']>[0]) =>
    guard(async () => {
      try {
        const opened = await api.openDesign(from);
        if (opened) {
          load(opened);
          setRecentVersion((v) => v + 1);
          setNotice(null);
        }
      } catch (e) {
        // A corrupt or newer file: reported with its name and the problem, and left as it is.
        setNotice((e as Error).message);
      }
    });
  // Stable identities: the memoised sidebar then ignores preview updates.
  const onPreset = useStableCallback(openPreset);
  const onRecent = useStableCallback((path: string) => void openFrom({ path }));
  const open = () => (info.mode === 'web' ? fileInput.current?.click() : void openFrom());
  const newDesign = () => openPreset('classic-captcha');
  const reroll = () => {
    const s = randomSeed();
    if (locked) edit('seed', s);
    else setPreviewSeed(s);
  };
  const zoomBy = (d: number) => setZoom((z) => ZOOMS[Math.min(ZOOMS.length - 1, Math.max(0, ZOOMS.indexOf(z) + d))]);
  const exportImage = async () => {
    if (!design || !valid) return;
    try {
      const r = await api.exportImage(design, seed);
      if (r) setNotice(`Exported ${r.path}`);
    } catch (e) {
      setNotice((e as Error).message);
    }
  };

  const command = (c: MenuCommand) => {
    if (typeof c === 'object') return void openFrom({ path: c.open });
    ({
      new: newDesign,
      open,
      save: () => void save(),
      'save-as': () => void save(true),
      'export-png': () => void exportImage(),
      'export-batch': () => document.querySelector<HTMLInputElement>('[data-testid="batch-count"]')?.focus(),
      undo: () => dispatch({ type: 'undo' }),
      redo: () => dispatch({ type: 'redo' }),
      'zoom-in': () => zoomBy(1),
      'zoom-out': () => zoomBy(-1),
      'zoom-actual': () => setZoom(1),
    })[c]();
  };
  const commandRef = useRef(command);
  commandRef.current = command;

  useEffect(() => api.onMenuCommand((c) => commandRef.current(c)), [api]);

  // In the browser the page handles the shortcuts; on the desktop the native menu's accelerators do.
  useEffect(() => {
    if (info.mode !== 'web') return;
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
      const k = e.key.toLowerCase();
      const map: Record<string, MenuCommand | undefined> = {
        z: e.shiftKey ? 'redo' : 'undo',
        y: 'redo',
        s: e.shiftKey ? 'save-as' : 'save',
        o: 'open',
        e: e.shiftKey ? 'export-batch' : 'export-png',
        '=': 'zoom-in',
        '+': 'zoom-in',
        '-': 'zoom-out',
        '0': 'zoom-actual',
      };
      const c = map[k];
      if (!c) return;
      e.preventDefault();
      commandRef.current(c);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [info.mode]);

  return (
    <ApiContext.Provider value={api}>
      <div className="app">
        <header className="toolbar">
          <h1>Captcha Studio</h1>
          <button type="button" onClick={newDesign}>
            New
          </button>
          <button type="button" onClick={open}>
            Open…
          </button>
          <button type="button" onClick={() => void save()} disabled={!design}>
            Save
          </button>
          <button type="button" onClick={() => void save(true)} disabled={!design}>
            Save As…
          </button>
          <button type="button" onClick={() => dispatch({ type: 'undo' })} disabled={history.past.length === 0} title="Undo (Ctrl+Z)">
            Undo
          </button>
          <button type="button" onClick={() => dispatch({ type: 'redo' })} disabled={history.future.length === 0} title="Redo (Ctrl+Shift+Z)">
            Redo
          </button>
          <span className="doc-name" data-testid="doc-name">
            {dirty && (
              <span className="dirty" aria-label="unsaved changes" title="Unsaved changes">
                ●{' '}
              </span>
            )}
            {doc.name}
          </span>
          <input
            ref={fileInput}
            type="file"
            accept=".json,application/json"
            className="visually-hidden"
            tabIndex={-1}
            aria-hidden
            onChange={async (e) => {
              const f = e.target.files?.[0];
              e.target.value = '';
              if (f) await openFrom({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) });
            }}
          />
        </header>
        {notice && (
          <div className="notice" role="status">
            {notice}
            <button type="button" aria-label="Dismiss" onClick={() => setNotice(null)}>
              ✕
            </button>
          </div>
        )}
        <div className="columns">
          <Sidebar current={doc.preset} onPreset={onPreset} onRecent={onRecent} recentVersion={recentVersion} />
          <main className="centre">
            <PreviewPane preview={preview} zoom={zoom} setZoom={setZoom} seed={seed} locked={locked} onReroll={reroll} onLock={(on) => edit('seed', on ? previewSeed : undefined)} />
            {design && (
              <div className="panels">
                <ExportPanel design={design} seed={seed} valid={valid} mode={info.mode} />
                <ServerPanel design={design} valid={valid} />
              </div>
            )}
          </main>
          {ctx ? (
            <DesignContext.Provider value={ctx}>
              <Inspector />
            </DesignContext.Provider>
          ) : (
            <aside className="inspector" aria-busy="true" />
          )}
        </div>
        {confirm && <ConfirmDialog onChoose={confirm} name={doc.name} />}
      </div>
    </ApiContext.Provider>
  );
}
