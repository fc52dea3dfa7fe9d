/**
 * The centre: the preview, fitted to the view or zoomed, on a backdrop of the user's
 * choice, with glyphs that leave the canvas outlined, the answer, and (for designs that
 * draw something random) Reroll and the seed lock.
 */
import { useEffect, useLayoutEffect, useRef } from 'react';
import type { PreviewSink, PreviewState } from '../hooks/usePreview.ts';
import type { ZoomControl } from '../hooks/useZoom.ts';
import { backdropBackground } from '../state/backdrop.ts';
import { fieldLabel } from '../state/design-path.ts';
import { canStep } from '../state/zoom.ts';
import type { DesignInput } from '../../../src-main/api.ts';
import { AudioPreview } from './AudioPreview.tsx';
import { BackdropPicker, useBackdrop } from './BackdropPicker.tsx';
import { GlyphOverlay } from './GlyphOverlay.tsx';
import { designSize, PreviewCanvas } from './PreviewCanvas.tsx';
import type { PreviewCanvasHost } from '../preview-surface.ts';

/** The stage's free room for the image: its width and its height limit, less its padding. */
function measureRoom(stage: HTMLElement): { width: number; height: number } {
  const cs = getComputedStyle(stage);
  const px = (v: string) => parseFloat(v) || 0;
  const limit = px(cs.maxHeight) || stage.clientHeight;
  return { width: stage.clientWidth - px(cs.paddingLeft) - px(cs.paddingRight), height: limit - px(cs.paddingTop) - px(cs.paddingBottom) };
}

/** Keeps `zoom` told of the stage's room: on resize of the stage and of the window (the height limit is in vh). */
function useStageRoom(stage: React.RefObject<HTMLDivElement | null>, setRoom: ZoomControl['setRoom']) {
  useLayoutEffect(() => {
    const el = stage.current;
    if (!el || typeof ResizeObserver !== 'function') return;
    const update = () => setRoom(measureRoom(el));
    update();
    const ro = new ResizeObserver(update);
    ro.observe(el);
    window.addEventListener('resize', update);
    return () => {
      ro.disconnect();
      window.removeEventListener('resize', update);
    };
  }, [stage, setRoom]);
}

export function PreviewPane(props: { preview: PreviewState; /** Told how PreviewCanvas draws new pixels on arrival. */ onSink?: (draw: PreviewSink | null) => void; /** Takes the canvas for the preview worker (web mode). */ canvasHost?: PreviewCanvasHost | null; zoom: ZoomControl; seed: number; locked: boolean; onReroll(): void; onLock(locked: boolean): void; /** The design shown, for Play audio (none: no button). */ design?: DesignInput | null }) {
  const { preview, zoom: view } = props;
  const { zoom } = view;
  const img = preview.image;
  const size = img && designSize(img);
  const stage = useRef<HTMLDivElement>(null);
  const [backdrop, setBackdrop] = useBackdrop();
  useStageRoom(stage, view.setRoom);

  const { setImage } = view;
  const w = size?.width;
  const h = size?.height;
  useEffect(() => setImage(w && h ? { width: w, height: h } : null), [w, h, setImage]);

  const random = img?.random ?? false;
  const warnings = img?.warnings ?? [];
  return (
    <section className="preview-pane" aria-label="Preview">
      <div className="preview-toolbar">
        <button type="button" onClick={() => view.step(-1)} disabled={!canStep(zoom, -1)} aria-label="Zoom out" title="Zoom out (Ctrl+-)">
          −
        </button>
        <span aria-live="polite" data-testid="zoom">
          {Math.round(zoom * 100)}%
        </span>
        <button type="button" onClick={() => view.step(1)} disabled={!canStep(zoom, 1)} aria-label="Zoom in" title="Zoom in (Ctrl+=)">
          +
        </button>
        <button type="button" onClick={view.fit} aria-pressed={view.fitted} title="Zoom to fit the view (never above 100%)">
          Fit
        </button>
        <button type="button" onClick={view.actual} disabled={view.setting === 1} title="100% (Ctrl+0)">
          Actual size
        </button>
        <BackdropPicker value={backdrop} onChange={setBackdrop} />
        <span className="spacer" />
        {random && (
          <button type="button" onClick={props.onReroll} title="New random seed (R)">
            Reroll
          </button>
        )}
        {(random || props.locked) && (
          <label className="check" title="Locks this image for exports and /designs/ URLs. Issued captchas never repeat a seed: the server gives every visitor fresh randomness and a fresh answer.">
            <input type="checkbox" checked={props.locked} onChange={(e) => props.onLock(e.target.checked)} /> Lock seed
          </label>
        )}
        {props.locked && img?.answer != null && (
          <span className="muted" data-testid="lock-note">
            exports only: issued captchas always get a fresh seed
          </span>
        )}
        {random && (
          <span className="mono" data-testid="seed">
            seed {props.seed}
          </span>
        )}
      </div>
      <div className="stage" ref={stage} data-testid="stage" tabIndex={0} role="region" aria-label="Preview stage">
        <div className="stage-image" data-backdrop={backdrop.kind} style={{ width: size ? size.width * zoom : undefined, height: size ? size.height * zoom : undefined, background: backdropBackground(backdrop) }}>
          <PreviewCanvas img={img} zoom={zoom} devicePixelRatio={view.devicePixelRatio} onSink={props.onSink} host={props.canvasHost} />
          {size && <GlyphOverlay glyphs={img.glyphs} zoom={zoom} width={size.width} height={size.height} />}
        </div>
      </div>
      <div className="preview-status">
        {size && (
          <span>
            {size.width} × {size.height}px
          </span>
        )}
        {img?.answer != null && (
          <span>
            Answer: <strong className="mono" data-testid="answer">{img.answer}</strong>
          </span>
        )}
        {img?.answer != null && props.design && <AudioPreview design={props.design} seed={props.seed} />}
        {preview.busy && <span className="muted">rendering…</span>}
        {/* A live region that is always there, so a warning appearing is announced; a warning is not an error (the image is served as is). */}
        <span className="warning" role="status" data-testid="design-warning">
          {warnings.length > 0 && (
            <>
              ⚠ {warnings[0].field ? `${fieldLabel(warnings[0].field)}: ` : ''}
              {warnings[0].rule}
              {warnings.length > 1 ? ` (and ${warnings.length - 1} more)` : ''}
            </>
          )}
        </span>
        {preview.issues.length > 0 && (
          <span className="error" role="alert" data-testid="design-error">
            {preview.issues[0].field ? `${fieldLabel(preview.issues[0].field)}: ` : ''}
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
