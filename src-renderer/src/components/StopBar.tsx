/**
 * A gradient's colour stops as a stop bar: the gradient itself, one handle per stop at
 * its offset (drag it, or focus it and use the arrow keys, to move it; click it to
 * edit its colour), a click on the bar adds a stop there. The selected stop's colour and
 * offset are edited below the bar, so the inspector never needs a row of boxes per stop.
 */
import { useRef, useState, type PointerEvent } from 'react';
import type { Limit } from '../design-types.ts';
import { getIn } from '../state/design-path.ts';
import { useDesign } from './design-context.ts';
import { ColorField, NumberField } from './fields.tsx';

const MAX_STOPS: Limit<'stops'> = 16;
const MIN_STOPS = 2;

interface Stop {
  offset: number;
  color: string;
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));
const round2 = (v: number) => Math.round(v * 100) / 100;
const offsetOf = (s: Stop) => (typeof s.offset === 'number' ? clamp01(s.offset) : 0);

/** The CSS gradient of the stops, in offset order (the order the renderer paints them). */
function cssGradient(stops: Stop[]): string {
  const sorted = stops.map((s) => ({ s, o: offsetOf(s) })).sort((a, b) => a.o - b.o);
  const list = sorted.map(({ s, o }) => `${typeof CSS !== 'undefined' && CSS.supports('color', s.color) ? s.color : 'transparent'} ${o * 100}%`);
  return `linear-gradient(to right, ${list.join(', ')})`;
}

export function StopBar({ path, layerNumber }: { path: string; layerNumber: number }) {
  const { design, edit } = useDesign();
  const stops = (getIn(design, path) ?? []) as Stop[];
  const [selected, setSelected] = useState(0);
  const bar = useRef<HTMLDivElement>(null);
  const dragging = useRef<number | null>(null);
  const sel = Math.min(selected, stops.length - 1);

  const offsetAt = (clientX: number) => {
    const r = bar.current!.getBoundingClientRect();
    return round2(clamp01((clientX - r.left) / Math.max(1, r.width)));
  };
  const moveStop = (k: number, offset: number) => edit(`${path}.${k}.offset`, round2(clamp01(offset)), { continuous: true });
  const addAt = (offset: number) => {
    if (stops.length >= MAX_STOPS) return;
    // The new stop takes the colour of the nearest stop, so the gradient does not jump.
    const near = stops.reduce((best, s, k) => (Math.abs(offsetOf(s) - offset) < Math.abs(offsetOf(stops[best]) - offset) ? k : best), 0);
    edit(path, [...stops, { offset, color: stops[near]?.color ?? '#ffffff' }]);
    setSelected(stops.length);
  };
  const remove = (k: number) => {
    edit(path, stops.filter((_s, j) => j !== k));
    setSelected(Math.max(0, k - 1));
  };

  const onHandleDown = (e: PointerEvent<HTMLButtonElement>, k: number) => {
    e.stopPropagation();
    setSelected(k);
    dragging.current = k;
    e.currentTarget.setPointerCapture(e.pointerId);
  };
  const onHandleMove = (e: PointerEvent<HTMLButtonElement>, k: number) => {
    if (dragging.current !== k) return;
    const o = offsetAt(e.clientX);
    if (o !== offsetOf(stops[k])) moveStop(k, o);
  };
  const onHandleUp = (e: PointerEvent<HTMLButtonElement>) => {
    dragging.current = null;
    if (e.currentTarget.hasPointerCapture(e.pointerId)) e.currentTarget.releasePointerCapture(e.pointerId);
  };

  return (
    <fieldset className="stops">
      <legend>Stops</legend>
      <div
        ref={bar}
        className="stop-bar"
        data-testid="stop-bar"
        style={{ backgroundImage: `${cssGradient(stops)}, repeating-conic-gradient(var(--check-a) 0 25%, var(--check-b) 0 50%)` }}
        // A click on the bar itself (not on a handle) adds a stop there; the Add stop button does the same from the keyboard.
        onPointerDown={(e) => {
          if (e.target === bar.current) addAt(offsetAt(e.clientX));
        }}
      >
        {stops.map((s, k) => (
          <button
            key={k}
            type="button"
            className="stop-handle"
            data-testid={`stop-handle-${k + 1}`}
            aria-label={`Layer ${layerNumber} stop ${k + 1} at ${Math.round(offsetOf(s) * 100)}%`}
            aria-pressed={k === sel}
            style={{ left: `${offsetOf(s) * 100}%`, ['--stop' as string]: typeof CSS !== 'undefined' && CSS.supports('color', s.color) ? s.color : 'transparent' }}
            onPointerDown={(e) => onHandleDown(e, k)}
            onPointerMove={(e) => onHandleMove(e, k)}
            onPointerUp={onHandleUp}
            onPointerCancel={onHandleUp}
            onClick={() => setSelected(k)}
            onKeyDown={(e) => {
              if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
                e.preventDefault();
                moveStop(k, offsetOf(s) + (e.key === 'ArrowRight' ? 1 : -1) * (e.shiftKey ? 0.1 : 0.01));
              } else if ((e.key === 'Delete' || e.key === 'Backspace') && stops.length > MIN_STOPS) {
                e.preventDefault();
                remove(k);
              }
            }}
          />
        ))}
      </div>
      {stops[sel] && (
        <div className="stop-edit">
          <ColorField path={`${path}.${sel}.color`} label={`Stop ${sel + 1} colour`} />
          <NumberField path={`${path}.${sel}.offset`} label={`Stop ${sel + 1} offset`} step={0.01} />
        </div>
      )}
      <div className="stop-actions">
        <button
          type="button"
          disabled={stops.length >= MAX_STOPS}
          onClick={() => {
            // Halfway into the widest gap: where a new colour is most likely wanted.
            const o = stops.map(offsetOf).sort((a, b) => a - b);
            let at = 0.5;
            let gap = -1;
            for (let j = 0; j + 1 < o.length; j++) if (o[j + 1] - o[j] > gap) [gap, at] = [o[j + 1] - o[j], (o[j] + o[j + 1]) / 2];
            addAt(round2(at));
          }}
        >
          Add stop
        </button>
        <button type="button" disabled={stops.length <= MIN_STOPS} onClick={() => remove(sel)}>
          Remove stop {sel + 1}
        </button>
      </div>
    </fieldset>
  );
}
