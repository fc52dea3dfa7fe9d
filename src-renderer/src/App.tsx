/**
 * The designer: presets and recents on the left, the live preview in the centre,
 * the inspector on the right. It only gathers a design and asks the StudioApi
 * for pixels; every rule about designs lives in the main process.
 */
import { useCallback, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { DesignInput, StudioApi } from '../../src-main/api.ts';
import { ConfirmDialog } from './components/ConfirmDialog.tsx';
import { ApiContext, DesignContext, type DesignCtx } from './components/design-context.ts';
import { ExportPanel, type ExportPanelHandle } from './components/ExportPanel.tsx';
import { Inspector } from './components/Inspector.tsx';
import { PreviewPane } from './components/PreviewPane.tsx';
import { ServerPanel } from './components/ServerPanel.tsx';
import { SampleGrid } from './components/SampleGrid.tsx';
import { StrengthPanel } from './components/StrengthPanel.tsx';
import { Sidebar } from './components/Sidebar.tsx';
import { useAutosave } from './hooks/useAutosave.ts';
import { useDocument } from './hooks/useDocument.ts';
import { useMenuCommands, type CommandHandlers } from './hooks/useMenuCommands.ts';
import { usePreview, type PreviewSink } from './hooks/usePreview.ts';
import { usePreviewSeed } from './hooks/usePreviewSeed.ts';
import { useRerollKey, useShortcuts } from './hooks/useShortcuts.ts';
import { useStableCallback } from './hooks/useStableCallback.ts';
import { useStudioInfo } from './hooks/useStudioInfo.ts';
import { useZoom } from './hooks/useZoom.ts';
import { renderScale } from './state/zoom.ts';
import { isPreviewCanvasHost } from './preview-surface.ts';

export function App({ api }: { api: StudioApi }) {
  const [notice, setNotice] = useState<string | null>(null);
  const info = useStudioInfo(api, setNotice);
  // An edit asks for its preview at once, before React renders the designer around it.
  // (Set below, once the preview exists; an edit always comes after the first commit.)
  const askEarly = useRef<(next: DesignInput) => void>(() => {});
  const onEdit = useCallback((next: DesignInput) => askEarly.current(next), []);
  const doc = useDocument(api, { mode: info.mode, notify: setNotice, onEdit });
  const { design, edit } = doc;
  // No undo history: the design was just opened (a random preview seed for it).
  const { seed, locked, reroll, lock, pick, seedFor } = usePreviewSeed(design, edit, !doc.canUndo && !doc.canRedo);
  // A just-opened design (no undo history) opens fitted to the view.
  const zoom = useZoom({ design, fresh: !doc.canUndo && !doc.canRedo });
  // The preview canvas registers here, so new pixels are drawn before the app re-renders.
  const previewSink = useRef<PreviewSink | null>(null);
  const onSink = useCallback((draw: PreviewSink | null) => void (previewSink.current = draw), []);
  // Web mode: the canvas goes to the preview worker, which draws without waiting for this thread.
  const canvasHost = isPreviewCanvasHost(api) ? api : null;
  const scaleFor = (d: DesignInput | null) => renderScale(zoom.zoom, zoom.devicePixelRatio, typeof d?.scale === 'number' ? d.scale : 1);
  const preview = usePreview(api, design, seed, scaleFor(design), previewSink);
  useLayoutEffect(() => {
    askEarly.current = (next) => preview.request(next, seedFor(next), scaleFor(next));
  });
  const valid = preview.issues.length === 0 && preview.image !== null;
  useAutosave(api, design, valid && doc.dirty);
  const fileInput = useRef<HTMLInputElement>(null);
  const exportPanel = useRef<ExportPanelHandle>(null);

  // By content: each new image brings a new list, and the inspector must not re-render for every frame.
  const warningsKey = JSON.stringify(preview.image?.warnings ?? []);
  const ctx = useMemo<DesignCtx | null>(() => {
    if (!design) return null;
    const byField = new Map(preview.issues.map((i) => [i.field, i.rule]));
    const warnings: { field: string; rule: string }[] = JSON.parse(warningsKey);
    return { design, edit, issue: (p) => byField.get(p), warnings };
  }, [design, edit, preview.issues, warningsKey]);

  // In the browser, Open picks a file in the page; on the desktop the main process shows its dialog.
  const open = () => (info.mode === 'web' ? fileInput.current?.click() : void doc.openFrom());
  const onRecent = useStableCallback((path: string) => void doc.openFrom({ path }));
  const exportImage = async () => {
    if (!design || !valid) return;
    try {
      const r = await api.exportImage(design, seed);
      if (r) setNotice(`Exported ${r.path}`);
    } catch (e) {
      setNotice((e as Error).message);
    }
  };

  const commands: CommandHandlers = {
    new: () => void doc.newDesign(),
    open,
    save: () => void doc.save(),
    'save-as': () => void doc.save(true),
    'export-png': () => void exportImage(),
    'export-batch': () => exportPanel.current?.focusBatchCount(),
    undo: doc.undo,
    redo: doc.redo,
    'zoom-in': () => zoom.step(1),
    'zoom-out': () => zoom.step(-1),
    'zoom-actual': zoom.actual,
    openRecent: (path) => void doc.openFrom({ path }),
  };
  useMenuCommands(api, commands);
  useShortcuts(info.mode === 'web', (c) => commands[c]());
  useRerollKey(preview.image?.random !== false, reroll);

  return (
    <ApiContext.Provider value={api}>
      <div className="app">
        <header className="toolbar">
          <h1>Captcha Studio</h1>
          <button type="button" onClick={commands.new}>
            New
          </button>
          <button type="button" onClick={open}>
            Open…
          </button>
          <button type="button" onClick={commands.save} disabled={!design}>
            Save
          </button>
          <button type="button" onClick={commands['save-as']} disabled={!design}>
            Save As…
          </button>
          <button type="button" onClick={doc.undo} disabled={!doc.canUndo} title="Undo (Ctrl+Z)">
            Undo
          </button>
          <button type="button" onClick={doc.redo} disabled={!doc.canRedo} title="Redo (Ctrl+Shift+Z)">
            Redo
          </button>
          <span className="doc-name" data-testid="doc-name">
            {doc.dirty && (
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
              if (f) await doc.openFrom({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) });
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
          <Sidebar current={doc.preset} onPreset={doc.openPreset} onRecent={onRecent} recentVersion={doc.recentVersion} />
          <main className="centre">
            <PreviewPane design={design} preview={preview} onSink={onSink} canvasHost={canvasHost} zoom={zoom} seed={seed} locked={locked} onReroll={reroll} onLock={lock} />
            <SampleGrid api={api} design={design} valid={valid} random={preview.image?.random !== false} seed={seed} onPick={pick} />
            <StrengthPanel api={api} design={design} valid={valid} />
            {design && (
              <div className="panels">
                <ExportPanel ref={exportPanel} design={design} seed={seed} valid={valid} mode={info.mode} />
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
        {doc.confirm && <ConfirmDialog onChoose={doc.confirm} name={doc.name} />}
      </div>
    </ApiContext.Provider>
  );
}
