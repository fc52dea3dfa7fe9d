/** Export one image, or a batch with a progress bar, cancel and answers.csv. */
import { memo, useId, useImperativeHandle, useRef, useState, type Ref } from 'react';
import type { BatchProgress, DesignInput } from '../../../src-main/api.ts';
import { useApi } from './design-context.ts';

/** What the app may ask of the panel: the menu's "Export batch…" moves focus to the batch size. */
export interface ExportPanelHandle {
  focusBatchCount(): void;
}

export const ExportPanel = memo(function ExportPanel(props: { design: DesignInput; seed: number; valid: boolean; mode: 'desktop' | 'web'; ref?: Ref<ExportPanelHandle> }) {
  const api = useApi();
  const countId = useId();
  const countInput = useRef<HTMLInputElement>(null);
  useImperativeHandle(props.ref, () => ({ focusBatchCount: () => countInput.current?.focus() }), []);
  const [count, setCount] = useState('100');
  const [progress, setProgress] = useState<BatchProgress | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const batchId = useRef<string | null>(null);
  const n = Number(count);
  const countError = !Number.isInteger(n) || n < 1 || n > 10_000 ? 'count: must be a whole number from 1 to 10000' : null;

  const exportOne = async () => {
    setMessage(null);
    try {
      const r = await api.exportImage(props.design, props.seed);
      if (r) setMessage(`Exported ${r.path} (${r.width}×${r.height}, ${r.bytes} bytes)`);
    } catch (e) {
      setMessage((e as Error).message);
    }
  };
  const exportBatch = async () => {
    if (countError) return;
    setMessage(null);
    setRunning(true);
    try {
      // Unlocked designs get fresh random images; the answers are in answers.csv.
      const r = await api.exportBatch(props.design, n, (p) => {
        batchId.current = p.id;
        setProgress(p);
      });
      if (r) setMessage(r.cancelled ? 'Batch export cancelled; nothing was written.' : `Exported ${r.count} images and answers.csv to ${r.path}`);
    } catch (e) {
      setMessage((e as Error).message);
    } finally {
      setRunning(false);
      setProgress(null);
      batchId.current = null;
    }
  };

  return (
    <section className="export-panel" aria-label="Export">
      <h2>Export</h2>
      <button type="button" onClick={exportOne} disabled={!props.valid}>
        {props.mode === 'web' ? 'Download image' : 'Export image…'}
      </button>
      <div className="batch-row">
        <label htmlFor={countId}>Batch of</label>
        <input ref={countInput} id={countId} data-testid="batch-count" type="text" inputMode="numeric" value={count} onChange={(e) => setCount(e.target.value)} aria-invalid={!!countError} size={6} />
        <button type="button" onClick={exportBatch} disabled={!props.valid || running || !!countError}>
          {props.mode === 'web' ? 'Download batch (zip)' : 'Export batch…'}
        </button>
      </div>
      {countError && (
        <small className="error" role="alert">
          {countError}
        </small>
      )}
      {running && progress && (
        <div className="progress-row">
          <progress max={progress.total} value={progress.done} aria-label="Batch export progress" />
          <span>
            {progress.done} / {progress.total}
          </span>
          <button type="button" onClick={() => batchId.current && void api.cancelBatch(batchId.current)}>
            Cancel
          </button>
        </div>
      )}
      {message && (
        <p role="status" className="export-message">
          {message}
        </p>
      )}
    </section>
  );
});
