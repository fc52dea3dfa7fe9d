/**
 * The background layers as a designer's layer list: a row per layer with a thumbnail,
 * its name, show/hide, move up/down, duplicate and remove (all real buttons, none inside
 * a <summary>), drag to reorder, and the layer's fields under its row when expanded.
 * Which rows are expanded is kept by a per-layer id held in the UI, so adding,
 * moving or removing a layer never opens or closes the others.
 */
import { useEffect, useState, type DragEvent } from 'react';
import type { DesignInput } from '../../../src-main/api.ts';
import type { LayerType, Limit } from '../design-types.ts';
import { fieldLabel } from '../state/design-path.ts';
import { LAYER_TYPES, newLayer } from '../state/new-layer.ts';
import { useApi, useDesign } from './design-context.ts';
import { NumberField } from './fields.tsx';
import { LayerFields } from './layer-fields.tsx';

const MAX_LAYERS: Limit<'layers'> = 32;

type Layer = { type: string; hidden?: boolean } & Record<string, unknown>;

/** Every layer object seen, by identity, with its id: undo and redo bring back the same objects, and so the same ids. */
const LAYER_IDS = new WeakMap<object, string>();
let nextId = 0;

/**
 * Ids for `layers`: a layer keeps the id of the same object seen before; an edited layer
 * (a new object where the old one was) keeps the id of its place; anything else is new.
 */
export function assignLayerIds(layers: readonly object[], previous: readonly string[]): string[] {
  const used = new Set<string>();
  const ids: (string | undefined)[] = layers.map((l) => {
    const id = LAYER_IDS.get(l);
    if (id === undefined || used.has(id)) return undefined;
    used.add(id);
    return id;
  });
  return ids.map((id, i) => {
    let out = id;
    if (out === undefined) {
      const old = previous[i];
      out = old !== undefined && !used.has(old) && !ids.includes(old) ? old : `layer-${++nextId}`;
      used.add(out);
    }
    LAYER_IDS.set(layers[i], out);
    return out;
  });
}

interface IdState {
  layers: readonly object[];
  ids: string[];
  open: ReadonlySet<string>;
}

/** Designs with this many layers or fewer open with every layer expanded. */
const OPEN_ALL_UP_TO = 3;

function useLayerIds(layers: readonly object[]) {
  const [s, setS] = useState<IdState>(() => {
    const ids = assignLayerIds(layers, []);
    return { layers, ids, open: new Set(layers.length <= OPEN_ALL_UP_TO ? ids : []) };
  });
  let current = s;
  if (s.layers !== layers) {
    const ids = assignLayerIds(layers, s.ids);
    // Another document (nothing in common with the last list): expand it as a new one.
    const fresh = !ids.some((id) => s.ids.includes(id));
    current = { layers, ids, open: fresh ? new Set(layers.length <= OPEN_ALL_UP_TO ? ids : []) : s.open };
    setS(current);
  }
  const setOpen = (id: string, on: boolean) =>
    setS((x) => {
      const open = new Set(x.open);
      if (on) open.add(id);
      else open.delete(id);
      return { ...x, open };
    });
  return { ids: current.ids, open: current.open, setOpen };
}

/** Thumbnails already drawn, by layer and canvas size, so list re-renders and undo cost no request. */
const THUMBS = new Map<string, string>();
const MAX_THUMBS = 200;
const THUMB_DELAY_MS = 500;
/**
 * One thumbnail render at a time: each renders the layer at the design's full size, so a
 * 1080p design with many layers must not queue them all at once beside the live preview.
 */
let thumbQueue: Promise<unknown> = Promise.resolve();
function queueThumb(draw: () => Promise<string>): Promise<string> {
  const next = thumbQueue.then(draw, draw);
  thumbQueue = next.catch(() => {});
  return next;
}

/** A small picture of one layer alone on the design's canvas, drawn by the core, redrawn shortly after edits stop. */
function LayerThumb({ layer, width, height }: { layer: Layer; width: number; height: number }) {
  const api = useApi();
  const { hidden: _hidden, ...shown } = layer;
  const key = JSON.stringify([width, height, shown]);
  // The last picture drawn stays up while an edited layer's new one is on its way.
  const [last, setLast] = useState<string | null>(null);
  const url = THUMBS.get(key) ?? last;
  useEffect(() => {
    if (THUMBS.has(key)) return;
    let live = true;
    const t = setTimeout(() => {
      const design: DesignInput = { width, height, background: [shown as never] };
      queueThumb(() => (live ? api.renderThumbnail(design, 1) : Promise.reject(new Error('no longer shown')))).then(
        (u) => {
          if (THUMBS.size >= MAX_THUMBS) THUMBS.delete(THUMBS.keys().next().value!);
          THUMBS.set(key, u);
          if (live) setLast(u);
        },
        () => {}, // an invalid layer: its field says why; the last thumbnail stays
      );
    }, THUMB_DELAY_MS);
    return () => {
      live = false;
      clearTimeout(t);
    };
    // `shown` is a new object each render; `key` is its content.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, key]);
  return <span className="layer-thumb">{url && <img src={url} alt="" />}</span>;
}

/** Small line icons drawn here: the symbol characters for them are missing from common UI fonts. */
function Icon({ name }: { name: 'shown' | 'hidden' | 'duplicate' }) {
  return (
    <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" strokeLinejoin="round">
      {name === 'duplicate' ? (
        <>
          <rect x="5.5" y="5.5" width="8" height="8" rx="1.5" />
          <path d="M10.5 3.5v-1a1 1 0 0 0-1-1h-7a1 1 0 0 0-1 1v7a1 1 0 0 0 1 1h1" />
        </>
      ) : (
        <>
          <path d="M1 8s2.5-5 7-5 7 5 7 5-2.5 5-7 5-7-5-7-5z" />
          <circle cx="8" cy="8" r="2" />
          {name === 'hidden' && <path d="M2 14 14 2" />}
        </>
      )}
    </svg>
  );
}

export function LayerList() {
  const { design, edit, issue } = useDesign();
  const layers = (design.background ?? []) as Layer[];
  const { ids, open, setOpen } = useLayerIds(layers);
  const [adding, setAdding] = useState<LayerType>('solid');
  const [dragFrom, setDragFrom] = useState<number | null>(null);
  const [dropAt, setDropAt] = useState<number | null>(null);
  const width = typeof design.width === 'number' ? design.width : 270;
  const height = typeof design.height === 'number' ? design.height : 40;

  const moveTo = (from: number, to: number) => {
    if (from === to || to < 0 || to >= layers.length) return;
    const next = layers.slice();
    const [l] = next.splice(from, 1);
    next.splice(to, 0, l);
    edit('background', next);
  };
  const duplicate = (i: number) => {
    const copy = structuredClone(layers[i]);
    const next = [...layers.slice(0, i + 1), copy, ...layers.slice(i + 1)];
    // The copy opens like a newly added layer; its id is settled now so the row knows it.
    const newIds = assignLayerIds(next, ids);
    setOpen(newIds[i + 1], true);
    edit('background', next);
  };
  const add = () => {
    const next = [...layers, newLayer(adding) as unknown as Layer];
    setOpen(assignLayerIds(next, ids)[next.length - 1], true);
    edit('background', next);
  };
  const onDrop = (e: DragEvent, to: number) => {
    e.preventDefault();
    const from = dragFrom ?? Number(e.dataTransfer.getData('text/x-layer-index'));
    setDragFrom(null);
    setDropAt(null);
    if (Number.isInteger(from)) moveTo(from, to);
  };

  return (
    <>
      {layers.length === 0 && <p className="muted">No layers: the image is transparent.</p>}
      <ol className="layers" aria-label="Background layers">
        {layers.map((l, i) => {
          const id = ids[i];
          const n = i + 1;
          const expanded = open.has(id);
          const layerError = issue(`background.${i}`) ?? issue(`background.${i}.hidden`) ?? issue(`background.${i}.type`);
          return (
            <li key={id} className={`layer${l.hidden ? ' is-hidden' : ''}${dropAt === i && dragFrom !== i ? ' drop-target' : ''}`} data-layer-id={id}>
              <div
                className="layer-row"
                draggable
                data-testid={`layer-row-${n}`}
                onDragStart={(e) => {
                  setDragFrom(i);
                  e.dataTransfer.effectAllowed = 'move';
                  e.dataTransfer.setData('text/x-layer-index', String(i));
                }}
                onDragEnd={() => (setDragFrom(null), setDropAt(null))}
                onDragOver={(e) => {
                  e.preventDefault();
                  e.dataTransfer.dropEffect = 'move';
                  if (dropAt !== i) setDropAt(i);
                }}
                onDrop={(e) => onDrop(e, i)}
              >
                <span className="drag-handle" aria-hidden title="Drag to reorder">
                  ⠿
                </span>
                <LayerThumb layer={l} width={width} height={height} />
                <button type="button" className="layer-name" aria-expanded={expanded} aria-controls={`${id}-fields`} onClick={() => setOpen(id, !expanded)}>
                  <span aria-hidden className="chevron">
                    {expanded ? '▾' : '▸'}
                  </span>
                  {n}. {l.type}
                </button>
                <span className="layer-actions">
                  <button type="button" aria-label={l.hidden ? `Show layer ${n}` : `Hide layer ${n}`} aria-pressed={!!l.hidden} title={l.hidden ? 'Show' : 'Hide'} onClick={() => edit(`background.${i}.hidden`, l.hidden ? undefined : true)}>
                    <Icon name={l.hidden ? 'hidden' : 'shown'} />
                  </button>
                  <button type="button" aria-label={`Move layer ${n} up`} disabled={i === 0} onClick={() => moveTo(i, i - 1)}>
                    ↑
                  </button>
                  <button type="button" aria-label={`Move layer ${n} down`} disabled={i === layers.length - 1} onClick={() => moveTo(i, i + 1)}>
                    ↓
                  </button>
                  <button type="button" aria-label={`Duplicate layer ${n}`} disabled={layers.length >= MAX_LAYERS} onClick={() => duplicate(i)}>
                    <Icon name="duplicate" />
                  </button>
                  <button type="button" aria-label={`Remove layer ${n}`} onClick={() => edit('background', layers.filter((_x, j) => j !== i))}>
                    ✕
                  </button>
                </span>
              </div>
              {layerError && (
                <small className="error" role="alert">
                  {fieldLabel(`background.${i}`)}: {layerError}
                </small>
              )}
              {expanded && (
                <div id={`${id}-fields`} className="layer-fields" role="group" aria-label={`Layer ${n}: ${l.type}`}>
                  <LayerFields i={i} type={l.type} />
                  <NumberField path={`background.${i}.opacity`} label="Opacity" step={0.01} fallback={1} />
                </div>
              )}
            </li>
          );
        })}
      </ol>
      <div className="add-row">
        <label htmlFor="add-layer-type">New layer</label>
        <select id="add-layer-type" value={adding} onChange={(e) => setAdding(e.target.value as LayerType)}>
          {LAYER_TYPES.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
        <button type="button" disabled={layers.length >= MAX_LAYERS} onClick={add}>
          Add layer
        </button>
      </div>
    </>
  );
}
