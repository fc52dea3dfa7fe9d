/**
 * Labelled inputs bound to a design path. Values go into the design as typed;
 * the main process validates them with the core schema, and the rule a field
 * breaks is shown under it (role=alert, aria-invalid).
 */
import { useId, useState, type ReactNode } from 'react';
import { HexAlphaColorPicker, HslaStringColorPicker, RgbaStringColorPicker } from 'react-colorful';
import type { Limit } from '../design-types.ts';
import { getIn } from '../state/design-path.ts';
import { limitOf } from '../state/field-limits.ts';
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

/**
 * What a number field takes: plain decimal notation. `Number()` alone would read "0x10"
 * as 16, "1e3" as 1000 and "" as 0, so a typo would silently become another value.
 */
const DECIMAL = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)\s*$/;
const NUMBER_RULE = 'must be a number written in digits, e.g. 12 or -0.5';

/** The number a field's text stands for, or undefined when it is not plain decimal notation. */
export function parseDecimal(text: string): number | undefined {
  return DECIMAL.test(text) ? Number(text) : undefined;
}

/**
 * A number with a slider. Text that is not a plain decimal number is refused here (the
 * design keeps its last number, the field says why), so nothing is reinterpreted; a
 * number out of range goes to the design and the schema names the limit. The bounds
 * default to the schema's own (state/field-limits.ts).
 */
export function NumberField({ path, label, min, max, step, fallback, slider = true }: { path: string; label: string; min?: number; max?: number; step?: number; fallback?: number; slider?: boolean }) {
  const { design, edit, issue } = useDesign();
  const id = useId();
  const limit = limitOf(design, path);
  const lo = min ?? limit?.min ?? 0;
  const hi = max ?? limit?.max ?? 100;
  const stepBy = step ?? (limit?.int || hi - lo > 10 ? 1 : 0.01);
  const value = getIn(design, path) as number | string | undefined;
  const shown = String(value ?? fallback ?? '');
  const [text, setText] = useState(shown);
  const [refused, setRefused] = useState<string | null>(null);
  // Follow outside changes (undo, presets), also while this field has focus, unless the
  // text already says the same number ("1." while typing 1.5).
  const [seen, setSeen] = useState(value);
  if (seen !== value) {
    setSeen(value);
    if (parseDecimal(text) !== (typeof value === 'number' ? value : undefined)) {
      setText(shown);
      setRefused(null);
    }
  }
  const commit = (t: string) => {
    setText(t);
    const n = parseDecimal(t);
    if (n === undefined) return setRefused(t.trim() === '' ? 'must not be empty: type a number' : NUMBER_RULE);
    setRefused(null);
    edit(path, n, { continuous: true });
  };
  const error = refused ?? issue(path);
  const num = typeof value === 'number' ? value : (fallback ?? lo);
  return (
    <Field id={id} label={label} error={error}>
      <div className="number-row">
        {slider && <input type="range" aria-label={`${label} slider`} min={lo} max={hi} step={stepBy} value={Math.min(hi, Math.max(lo, num))} onChange={(e) => commit(e.target.value)} tabIndex={-1} />}
        <input
          id={id}
          type="text"
          inputMode="decimal"
          value={text}
          aria-invalid={!!error}
          aria-describedby={error ? `${id}-error` : undefined}
          onBlur={() => {
            // A refused text is dropped: the field shows the number the design has.
            if (refused) {
              setText(shown);
              setRefused(null);
            }
          }}
          onChange={(e) => commit(e.target.value)}
          onKeyDown={(e) => {
            if (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') return;
            e.preventDefault();
            const n = Math.min(hi, Math.max(lo, num + (e.key === 'ArrowUp' ? stepBy : -stepBy) * (e.shiftKey ? 10 : 1)));
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
          edit(path, t.trim() === '' ? undefined : (parseDecimal(t) ?? t), { continuous: true });
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
      <input id={id} type="text" value={value ?? ''} aria-invalid={!!error} onChange={(e) => edit(path, optional && e.target.value === '' ? undefined : e.target.value, { continuous: true })} />
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
 * the browser paints the swatch (any CSS colour), and react-colorful reads the three
 * notations it has pickers for (hex, rgb(), hsl()). Only the notation is told apart, to choose the picker: picking then keeps
 * the form the user wrote, and both pickers write forms the core accepts. A colour in
 * any other form (a name) opens the picker at black.
 */
const HEX = /^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;
const RGB = /^rgba?\(/i;
const HSL = /^hsla?\(/i;

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
        <input id={id} type="text" className="mono" value={value} aria-invalid={!!error} aria-describedby={error ? `${id}-error` : undefined} onChange={(e) => edit(path, e.target.value, { continuous: true })} />
      </div>
      {open && (
        <div className="picker" onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}>
          {RGB.test(text) ? (
            <RgbaStringColorPicker color={text} onChange={(c) => edit(path, c, { continuous: true })} />
          ) : HSL.test(text) ? (
            <HslaStringColorPicker color={text} onChange={(c) => edit(path, c, { continuous: true })} />
          ) : (
            <HexAlphaColorPicker color={HEX.test(text) ? text : '#000000ff'} onChange={(c) => edit(path, c, { continuous: true })} />
          )}
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
