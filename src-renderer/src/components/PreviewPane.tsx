/** The centre: the preview at actual size (or zoomed) on a transparency checkerboard, with the answer, Reroll and the seed lock. */
import type { PreviewState } from '../hooks/usePreview.ts';
import { stepZoom, ZOOMS } from '../state/zoom.ts';
import { PreviewCanvas } from './PreviewCanvas.tsx';

export function PreviewPane(props: { preview: PreviewState; zoom: number; setZoom(z: number): void; seed: number; locked: boolean; onReroll(): void; onLock(locked: boolean): void }) {
  const { preview, zoom, setZoom } = props;
  const img = preview.image;
  const zi = ZOOMS.indexOf(zoom);
  return (
    <section className="preview-pane" aria-label="Preview">
      <div className="preview-toolbar">
        <button type="button" onClick={() => setZoom(stepZoom(zoom, -1))} disabled={zi <= 0} aria-label="Zoom out">
          −
        </button>
        <span aria-live="polite">{Math.round(zoom * 100)}%</span>
        <button type="button" onClick={() => setZoom(stepZoom(zoom, 1))} disabled={zi >= ZOOMS.length - 1} aria-label="Zoom in">
          +
        </button>
        <button type="button" onClick={() => setZoom(1)} disabled={zoom === 1}>
          Actual size
        </button>
        <span className="spacer" />
        <button type="button" onClick={props.onReroll} title="New random seed (R)">
          Reroll
        </button>
        <label className="check" title="Locks this image for exports and /designs/ URLs. Issued captchas never repeat a seed: the server gives every visitor fresh randomness and a fresh answer.">
          <input type="checkbox" checked={props.locked} onChange={(e) => props.onLock(e.target.checked)} /> Lock seed
        </label>
        {props.locked && img?.answer != null && (
          <span className="muted" data-testid="lock-note">
            exports only: issued captchas always get a fresh seed
          </span>
        )}
        <span className="mono" data-testid="seed">
          seed {props.seed}
        </span>
      </div>
      <div className="stage">
        <div className="checkerboard" style={{ width: img ? img.width * zoom : undefined, height: img ? img.height * zoom : undefined }}>
          <PreviewCanvas img={img} zoom={zoom} />
        </div>
      </div>
      <div className="preview-status">
        {img && (
          <span>
            {img.width} × {img.height}px
          </span>
        )}
        {img?.answer != null && (
          <span>
            Answer: <strong className="mono" data-testid="answer">{img.answer}</strong>
          </span>
        )}
        {preview.busy && <span className="muted">rendering…</span>}
        {preview.issues.length > 0 && (
          <span className="error" role="alert" data-testid="design-error">
            {preview.issues[0].field ? `${preview.issues[0].field}: ` : ''}
            {preview.issues[0].rule}
            {preview.issues.length > 1 ? ` (and ${preview.issues.length - 1} more)` : ''}
          </span>
        )}
        {preview.error && (
          <span className="error" role="alert">
            {preview.error}
          </span>
        )}
      </div>
    </section>
  );
}
