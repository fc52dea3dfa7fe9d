/** The right-hand inspector: canvas size, background layers, text, noise, distortion, output. */
import { memo, useCallback, useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import type { DesignInput, FontSummary } from '../../../src-main/api.ts';
import type { MathOperator, TextColorMode, TextInput } from '../design-types.ts';
import { fieldLabel, setIn } from '../state/design-path.ts';
import { CHARSETS, IMAGE_FORMATS, MATH_OPERATORS, NOISE_PLACEMENTS, TEXT_COLOR_MODES, TEXT_MODES, WAVE_DIRECTIONS } from './choices.ts';
import { useApi, useDesign } from './design-context.ts';
import { ColorField, LengthField, NumberField, PaletteField, SelectField, TextField } from './fields.tsx';
import { LayerList } from './LayerList.tsx';

export const SIZE_PRESETS = [
  { label: '270 × 40 (seed 002 captcha)', width: 270, height: 40 },
  { label: '160 × 60 captcha', width: 160, height: 60 },
  { label: '1024 × 768', width: 1024, height: 768 },
  { label: '1280 × 720', width: 1280, height: 720 },
  { label: '1920 × 1080', width: 1920, height: 1080 },
] as const;

function Section({ title, children, open = true }: { title: string; children: ReactNode; open?: boolean }) {
  return (
    <details className="section" open={open}>
      <summary>
        <h2>{title}</h2>
      </summary>
      <div className="section-body">{children}</div>
    </details>
  );
}

function CanvasSection() {
  const { design, edit } = useDesign();
  const sizeValue = SIZE_PRESETS.find((s) => s.width === design.width && s.height === design.height);
  return (
    <Section title="Canvas">
      <TextField path="name" label="Name" />
      <TextField path="description" label="Description" optional />
      <div className="field">
        <label htmlFor="size-preset">Size preset</label>
        <select
          id="size-preset"
          value={sizeValue ? `${sizeValue.width}x${sizeValue.height}` : ''}
          onChange={(e) => {
            const v = e.target.value;
            const [w, h] = v === 'screen' ? [Math.round(window.screen.width), Math.round(window.screen.height)] : v.split('x').map(Number);
            if (w && h) edit('', { ...design, width: w, height: h });
          }}
        >
          <option value="">Custom</option>
          {SIZE_PRESETS.map((s) => (
            <option key={s.label} value={`${s.width}x${s.height}`}>
              {s.label}
            </option>
          ))}
          <option value="screen">This screen ({window.screen.width} × {window.screen.height})</option>
        </select>
      </div>
      <NumberField path="width" label="Width" fallback={270} />
      <NumberField path="height" label="Height" fallback={40} />
      <NumberField path="scale" label="Scale (@2x, @3x)" fallback={1} />
    </Section>
  );
}

function LayersSection() {
  return (
    <Section title="Background layers">
      <LayerList />
    </Section>
  );
}

function FontPool() {
  const api = useApi();
  const { design, edit, issue } = useDesign();
  const [fonts, setFonts] = useState<FontSummary[]>([]);
  const [previews, setPreviews] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const selected = ((design.text as { fonts?: string[] } | undefined)?.fonts ?? ['DejaVu Sans']) as string[];
  const families = useMemo(() => [...new Set(fonts.map((f) => f.family))], [fonts]);
  /** Families whose preview arrived: a font list reload (after an import) draws only the new ones. */
  const drawn = useRef(new Set<string>());
  const reload = useCallback(() => api.listFonts().then(setFonts, (e: Error) => setMessage(e.message)), [api]);
  useEffect(() => void reload(), [reload]);
  useEffect(() => {
    // Font previews drawn by the core itself, so they show exactly what a captcha will use.
    for (const family of families) {
      if (drawn.current.has(family)) continue;
      const sample = fonts.find((f) => f.family === family)?.cjk ? 'Aa 中字' : 'Aa Bb 123';
      api
        .renderThumbnail({ width: 150, height: 30, background: [{ type: 'solid', color: '#ffffff' }], text: { mode: 'fixed', value: sample, fonts: [family], size: 20, sizeJitter: 0, rotation: 0, baselineJitter: 0, color: { mode: 'palette', palette: ['#222222'] } } }, 1)
        .then((url) => {
          drawn.current.add(family);
          setPreviews((p) => ({ ...p, [family]: url }));
        }, () => {});
    }
  }, [api, families, fonts]);
  const toggle = (family: string, on: boolean) => edit('text.fonts', on ? [...selected, family] : selected.filter((f) => f !== family));
  const importFont = async (file?: File) => {
    try {
      const f = await api.importFont(file ? { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) } : undefined);
      if (f) {
        setMessage(`Imported ${f.family}`);
        await reload();
      }
    } catch (e) {
      setMessage((e as Error).message);
    }
  };
  const error = issue('text.fonts') ?? Object.keys(selected).map((k) => issue(`text.fonts.${k}`)).find(Boolean);
  return (
    <fieldset className="fonts">
      <legend>Font pool</legend>
      <ul>
        {families.map((family) => (
          <li key={family}>
            <label>
              <input type="checkbox" checked={selected.includes(family)} onChange={(e) => toggle(family, e.target.checked)} /> {family}
              {previews[family] && <img src={previews[family]} alt="" className="font-preview" />}
            </label>
          </li>
        ))}
      </ul>
      {error && (
        <small className="error" role="alert">
          {error}
        </small>
      )}
      <label className="button-like">
        Import font…
        <input type="file" accept=".ttf,.otf" className="visually-hidden" onChange={(e) => e.target.files?.[0] && void importFont(e.target.files[0])} />
      </label>
      {message && <small role="status">{message}</small>}
    </fieldset>
  );
}

/** Which operators a math question may use; at least one stays on (the schema's rule). */
function MathOperators() {
  const { design, edit, issue } = useDesign();
  const ops = ((design.text as { math?: { operators?: MathOperator[] } } | undefined)?.math?.operators ?? ['+', '-']) as MathOperator[];
  const error = issue('text.math.operators');
  return (
    <fieldset className="operators">
      <legend>Operators</legend>
      {MATH_OPERATORS.map((o) => {
        const on = ops.includes(o.value);
        return (
          <label key={o.value} className="check">
            <input
              type="checkbox"
              checked={on}
              disabled={on && ops.length === 1}
              onChange={(e) => edit('text.math.operators', MATH_OPERATORS.map((m) => m.value).filter((v) => (v === o.value ? e.target.checked : ops.includes(v))))}
            />{' '}
            {o.label}
          </label>
        );
      })}
      {error && (
        <small className="error" role="alert">
          {error}
        </small>
      )}
    </fieldset>
  );
}

/** Where each glyph goes when not centred: the schema's expressions of w, h, i, n and s. */
const CUSTOM_POSITION = { x: '(w - n*s*0.7)/2 + i*s*0.7', y: '(h - s*1.2)/2' };

function TextPosition() {
  const { design, edit } = useDesign();
  const id = useId();
  const position = (design.text as { position?: unknown } | undefined)?.position;
  return (
    <fieldset className="position">
      <legend>Text position</legend>
      <div className="field check">
        <input id={id} type="checkbox" checked={position !== undefined} onChange={(e) => edit('text.position', e.target.checked ? CUSTOM_POSITION : undefined)} />
        <label htmlFor={id}>Place each glyph by expression (off: centred)</label>
      </div>
      {position !== undefined && (
        <>
          <LengthField path="text.position.x" label="Glyph x" />
          <LengthField path="text.position.y" label="Glyph y" />
          <small className="hint">Top-left of glyph i (from 0) of n: numbers or expressions of w, h (canvas), i, n and s (text size).</small>
        </>
      )}
    </fieldset>
  );
}

/** Asks the core for the changes that keep every glyph inside the canvas, and applies them as one undo step. */
function FitText() {
  const api = useApi();
  const { design, edit, warnings = [] } = useDesign();
  // The outcome is shown for the design it produced only: the next edit makes it stale.
  const [message, setMessage] = useState<{ text: string; design: DesignInput } | null>(null);
  const [busy, setBusy] = useState(false);
  const textWarnings = warnings.filter((w) => w.field === 'text' || w.field.startsWith('text.'));
  const fit = async () => {
    setBusy(true);
    try {
      const { changes } = await api.fitText(design);
      if (changes.length === 0) return setMessage({ text: 'The text already fits the canvas.', design });
      const next = changes.reduce((d, c) => setIn(d, c.path, c.value), design);
      edit('', next);
      setMessage({ text: `Fitted: ${changes.map((c) => `${fieldLabel(c.path)} ${c.value === undefined ? '(centred)' : typeof c.value === 'object' ? JSON.stringify(c.value) : String(c.value)}`).join(', ')}`, design: next });
    } catch (e) {
      setMessage({ text: (e as Error).message, design });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="fit-text">
      <button type="button" onClick={() => void fit()} disabled={busy}>
        Fit text to canvas
      </button>
      {message?.design === design && <small role="status">{message.text}</small>}
      {textWarnings.map((w) => (
        <small key={w.field + w.rule} className="warning" data-testid="text-warning">
          {fieldLabel(w.field)}: {w.rule}
        </small>
      ))}
    </div>
  );
}

function TextSection() {
  const { design, edit } = useDesign();
  const text = design.text as Record<string, unknown> | undefined;
  if (!text)
    return (
      <Section title="Text">
        <p className="muted">No captcha text: this design is a background.</p>
        <button type="button" onClick={() => edit('text', { mode: 'random', charset: 'unambiguous', length: 5, fonts: ['DejaVu Sans'], size: 28 } satisfies TextInput)}>
          Add captcha text
        </button>
      </Section>
    );
  const mode = (text.mode as string) ?? 'random';
  const colorMode: TextColorMode = (text.color as { mode?: TextColorMode } | undefined)?.mode ?? 'random';
  return (
    <Section title="Text">
      <SelectField path="text.mode" label="Mode" options={TEXT_MODES} fallback="random" />
      {mode === 'random' && (
        <>
          <SelectField path="text.charset" label="Charset" options={CHARSETS} fallback="unambiguous" />
          {text.charset === 'custom' && <TextField path="text.chars" label="Characters" />}
          <NumberField path="text.length" label="Length" fallback={5} />
        </>
      )}
      {mode === 'fixed' && <TextField path="text.value" label="Text" />}
      {mode === 'math' && (
        <>
          <MathOperators />
          <NumberField path="text.math.min" label="Smallest operand" fallback={1} />
          <NumberField path="text.math.max" label="Largest operand" fallback={9} />
        </>
      )}
      <FontPool />
      <NumberField path="text.size" label="Size (px)" fallback={28} />
      <NumberField path="text.sizeJitter" label="Size jitter" step={0.01} fallback={0.15} />
      <NumberField path="text.rotation" label="Rotation (±°)" fallback={20} />
      <NumberField path="text.baselineJitter" label="Baseline jitter" step={0.01} fallback={0.1} />
      <NumberField path="text.spacing" label="Spacing (negative overlaps)" step={0.05} fallback={0} />
      <TextPosition />
      <FitText />
      <div className="field">
        <label htmlFor="text-color-mode">Text colour</label>
        <select
          id="text-color-mode"
          value={colorMode}
          onChange={(e) => edit('text.color', (e.target.value === 'palette' ? { mode: 'palette', palette: ['#1a1a1a'] } : { mode: 'random', minContrast: 3 }) satisfies TextInput['color'])}
        >
          {TEXT_COLOR_MODES.map((m) => (
            <option key={m.value} value={m.value}>
              {m.label}
            </option>
          ))}
        </select>
      </div>
      {colorMode === 'palette' ? <PaletteField path="text.color.palette" label="Text colours" min={1} /> : <NumberField path="text.color.minContrast" label="Minimum contrast" step={0.5} fallback={3} />}
      <div className="field check">
        <input id="text-outline" type="checkbox" checked={!!text.outline} onChange={(e) => edit('text.outline', e.target.checked ? { color: '#ffffff', width: 1 } : undefined)} />
        <label htmlFor="text-outline">Outline</label>
      </div>
      {!!text.outline && (
        <>
          <ColorField path="text.outline.color" label="Outline colour" />
          <NumberField path="text.outline.width" label="Outline width" step={0.25} fallback={1} />
        </>
      )}
      <button type="button" onClick={() => edit('text', undefined)}>
        Remove text
      </button>
    </Section>
  );
}

function NoiseSection() {
  return (
    <Section title="Noise" open={false}>
      <NumberField path="noise.lines" label="Lines" fallback={0} />
      <NumberField path="noise.curves" label="Curves" fallback={0} />
      <NumberField path="noise.dots" label="Dots" fallback={0} />
      <NumberField path="noise.lineWidth" label="Line width" step={0.25} fallback={1.5} />
      <NumberField path="noise.dotRadius" label="Dot radius" step={0.25} fallback={1} />
      <NumberField path="noise.opacity" label="Noise opacity" step={0.01} fallback={1} />
      <SelectField path="noise.placement" label="Placement" options={NOISE_PLACEMENTS} fallback="over" />
      <PaletteField path="noise.colors" label="Noise colours" />
    </Section>
  );
}

function DistortionSection() {
  return (
    <Section title="Distortion" open={false}>
      <NumberField path="distortion.wave.amplitude" label="Wave amplitude" step={0.5} fallback={0} />
      <NumberField path="distortion.wave.period" label="Wave period" fallback={40} />
      <SelectField path="distortion.wave.direction" label="Wave direction" options={WAVE_DIRECTIONS} fallback="horizontal" />
      <NumberField path="distortion.warp.amplitude" label="Warp amplitude" step={0.5} fallback={0} />
      <NumberField path="distortion.warp.period" label="Warp period" fallback={30} />
    </Section>
  );
}

function OutputSection() {
  const { design } = useDesign();
  const format = (design.output as { format?: string } | undefined)?.format ?? 'png';
  return (
    <Section title="Output" open={false}>
      <SelectField path="output.format" label="Format" options={IMAGE_FORMATS} fallback="png" />
      {format === 'png' ? <NumberField path="output.compression" label="PNG effort (0 fastest – 9 smallest)" fallback={2} /> : <NumberField path="output.quality" label="Quality" fallback={90} />}
    </Section>
  );
}

/** Memoised: it reads everything from the design context, so a new preview image does not re-render it. */
export const Inspector = memo(function Inspector() {
  return (
    <aside className="inspector" aria-label="Inspector">
      <CanvasSection />
      <LayersSection />
      <TextSection />
      <NoiseSection />
      <DistortionSection />
      <OutputSection />
    </aside>
  );
});
