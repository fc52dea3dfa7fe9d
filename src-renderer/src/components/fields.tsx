/**
 * Labelled inputs bound to a design path. Values go into the design as typed;
 * the main process validates them with the core schema, and the rule a field
 * breaks is shown under it (role=alert, aria-invalid).
 */
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { HexAlphaColorPicker, RgbaStringColorPicker } from 'react-colorful';
import type { Limit } from '../design-types.ts';
import { getIn } from '../state/design-path.ts';
import { useDesign } from './design-context.ts';

function Field({ id, label, error, children, hint }: { id: string; label: string; error?: string; children: ReactNode; hint?: string }) {
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && !error && <small className="hint">{hint}</small>}
      {error && (
        <small className="error" role="alert" id={`${id}-error`}>
          {error}
        </small>
      )}
    </div>
  );
}

/** A number with a slider; text that is not a number is passed on as typed (the schema reports it). */
export function NumberField({ path, label, min, max, step = 1, fallback, slider = true }: { path: string; label: string; min: number; max: number; step?: number; fallback?: number; slider?: boolean }) {
  const { design, edit, issue } = useDesign();
  const id = useId();
  const value = getIn(design, path) as number | string | undefined;
  const [text, setText] = useState(String(value ?? fallback ?? ''));
  const focused = useRef(false);
  // Follow outside changes (undo, presets) unless the user is typing here.
  useEffect(() => {
    if (!focused.current) setText(String(value ?? fallback ?? ''));
  }, [value, fallback]);
  const commit = (t: string) => {
    setText(t);
    const n = Number(t);
    edit(path, t.trim() === '' ? undefined : Number.isFinite(n) ? n : t);
  };
  const error = issue(path);
  const num = typeof value === 'number' ? value : (fallback ?? min);
  return (
    <Field id={id} label={label} error={error}>
      <div className="number-row">
        {slider && <input type="range" aria-label={`${label} slider`} min={min} max={max} step={step} value={Math.min(max, Math.max(min, num))} onChange={(e) => commit(e.target.value)} tabIndex={-1} />}
        <input
          id={id}
          type="text"
          inputMode="decimal"
          value={text}
          aria-invalid={!!error}
          aria-describedby={error ? `${id}-error` : undefined}
          onFocus={() => (focused.current = true)}
          onBlur={() => {
            focused.current = false;
            setText(String(getIn(design, path) ?? fallback ?? ''));
          }}
          onChange={(e) => commit(e.target.value)}
          onKeyDown={(e) => {
            if (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') return;
            e.preventDefault();
            const n = Math.min(max, Math.max(min, num + (e.key === 'ArrowUp' ? step : -step) * (e.shiftKey ? 10 : 1)));
            commit(String(Math.round(n * 1000) / 1000));
          }}
        />
      </div>
    </Field>
  );
}

/** A number or an expression of w and h (e.g. "w/2"), as layer geometry allows. */
export function LengthField({ path, label }: { path: string; label: string }) {
  const { design, edit, issue } = useDesign();
  const id = useId();
  const value = getIn(design, path);
  const error = issue(path);
  return (
    <Field id={id} label={label} error={error}>
      <input
        id={id}
        type="text"
        className="mono"
        value={value === undefined ? '' : String(value)}
        aria-invalid={!!error}
        onChange={(e) => {
          const t = e.target.value;
          const n = Number(t);
          edit(path, t.trim() === '' ? undefined : t.trim() !== '' && Number.isFinite(n) ? n : t);
        }}
      />
    </Field>
  );
}

export function TextField({ path, label, hint, optional }: { path: string; label: string; hint?: string; optional?: boolean }) {
  const { design, edit, issue } = useDesign();
  const id = useId();
  const value = getIn(design, path) as string | undefined;
  const error = issue(path);
  return (
    <Field id={id} label={label} error={error} hint={hint}>
      <input id={id} type="text" value={value ?? ''} aria-invalid={!!error} onChange={(e) => edit(path, optional && e.target.value === '' ? undefined : e.target.value)} />
    </Field>
  );
}

export function SelectField({ path, label, options, fallback }: { path: string; label: string; options: readonly string[] | { value: string; label: string }[]; fallback?: string }) {
  const { design, edit, issue } = useDesign();
  const id = useId();
  const value = (getIn(design, path) as string | undefined) ?? fallback ?? '';
  const error = issue(path);
  const opts = (options as (string | { value: string; label: string })[]).map((o) => (typeof o === 'string' ? { value: o, label: o } : o));
  return (
    <Field id={id} label={label} error={error}>
      <select id={id} value={value} aria-invalid={!!error} onChange={(e) => edit(path, e.target.value)}>
        {opts.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Field>
  );
}

export function CheckField({ path, label, fallback = false }: { path: string; label: string; fallback?: boolean }) {
  const { design, edit } = useDesign();
  const id = useId();
  const value = (getIn(design, path) as boolean | undefined) ?? fallback;
  return (
    <div className="field check">
      <input id={id} type="checkbox" checked={value} onChange={(e) => edit(path, e.target.checked)} />
      <label htmlFor={id}>{label}</label>
    </div>
  );
}

/**
 * The UI parses no colour: the core validates the text (its rule shows under the field),
 * the browser paints the swatch, and react-colorful reads the two notations it has
 * pickers for. Only the notation is told apart, to choose the picker: picking then keeps
 * the form the user wrote, and both pickers write forms the core accepts. A colour in
 * any other form (a name) opens the picker at black.
 */
const HEX = /^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;
const RGB = /^rgba?\(/i;

function swatchColor(value: string): string {
  // CSS.supports is the browser's own parser (absent in jsdom: no swatch there).
  return typeof CSS !== 'undefined' && CSS.supports('color', value) ? value : 'transparent';
}

/** A colour: free text (any CSS colour the core accepts) plus a picker with alpha. */
export function ColorField({ path, label, fallback = '#000000' }: { path: string; label: string; fallback?: string }) {
  const { design, edit, issue } = useDesign();
  const id = useId();
  const [open, setOpen] = useState(false);
  const value = (getIn(design, path) as string | undefined) ?? fallback;
  const error = issue(path);
  const text = value.trim();
  return (
    <Field id={id} label={label} error={error}>
      <div className="color-row">
        <button type="button" className="swatch" aria-label={`Pick ${label.toLowerCase()}`} aria-expanded={open} onClick={() => setOpen((o) => !o)} style={{ ['--swatch' as string]: swatchColor(value) }} />
        <input id={id} type="text" className="mono" value={value} aria-invalid={!!error} onChange={(e) => edit(path, e.target.value)} />
      </div>
      {open && (
        <div className="picker" onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}>
          {RGB.test(text) ? <RgbaStringColorPicker color={text} onChange={(c) => edit(path, c)} /> : <HexAlphaColorPicker color={HEX.test(text) ? text : '#000000ff'} onChange={(c) => edit(path, c)} />}
        </div>
      )}
    </Field>
  );
}

const MAX_PALETTE: Limit<'palette'> = 16;

/** An editable list of colours (palettes). */
export function PaletteField({ path, label, min = 0, max = MAX_PALETTE }: { path: string; label: string; min?: number; max?: number }) {
  const { design, edit, issue } = useDesign();
  const colors = (getIn(design, path) as string[] | undefined) ?? [];
  const error = issue(path);
  return (
    <fieldset className="palette">
      <legend>{label}</legend>
      {colors.map((_, i) => (
        <div key={i} className="palette-item">
          <ColorField path={`${path}.${i}`} label={`${label} ${i + 1}`} />
          <button type="button" aria-label={`Remove ${label.toLowerCase()} ${i + 1}`} disabled={colors.length <= min} onClick={() => edit(path, colors.filter((_c, j) => j !== i))}>
            ✕
          </button>
        </div>
      ))}
      <button type="button" disabled={colors.length >= max} onClick={() => edit(path, [...colors, colors[colors.length - 1] ?? '#336699'])}>
        Add colour
      </button>
      {error && (
        <small className="error" role="alert">
          {error}
        </small>
      )}
    </fieldset>
  );
}

const sizeText = (bytes: number) => (bytes < 1024 ? `${Math.round(bytes)} bytes` : bytes < 2 ** 20 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`);

/** Largest picked image embedded as a data URL (the schema allows 16 MiB of text). */
const MAX_EMBEDDED_IMAGE = 12 * 1024 * 1024;

/**
 * An image layer's source: a path (desktop) or a picked file embedded as a data
 * URL, which is what web mode needs since the server never reads files named by a page.
 */
export function ImageSourceField({ path, label }: { path: string; label: string }) {
  const { design, edit, issue } = useDesign();
  const id = useId();
  const [pickError, setPickError] = useState<string | null>(null);
  const value = (getIn(design, path) as string | undefined) ?? '';
  const embedded = value.startsWith('data:');
  const error = pickError ?? issue(path);
  const pick = (file: File | undefined) => {
    if (!file) return;
    if (file.size > MAX_EMBEDDED_IMAGE) return setPickError(`${file.name} is larger than ${MAX_EMBEDDED_IMAGE / 2 ** 20} MiB`);
    const reader = new FileReader();
    reader.onload = () => {
      setPickError(null);
      edit(path, String(reader.result));
    };
    reader.onerror = () => setPickError(`${file.name} could not be read`);
    reader.readAsDataURL(file);
  };
  return (
    <Field id={id} label={label} error={error} hint={embedded ? `embedded image, ${sizeText((value.length - value.indexOf(',') - 1) * 0.75)}` : 'a file path (desktop) or choose an image to embed it'}>
      <input id={id} type="text" value={embedded ? '' : value} placeholder={embedded ? '(embedded)' : ''} aria-invalid={!!error} onChange={(e) => edit(path, e.target.value)} />
      <input type="file" accept="image/png,image/jpeg,image/webp,image/gif,image/bmp" aria-label={`${label}: choose image`} onChange={(e) => pick(e.target.files?.[0])} />
    </Field>
  );
}
