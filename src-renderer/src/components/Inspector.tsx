/** The right-hand inspector: canvas size, background layers, text, noise, distortion, output. */
import { memo, useEffect, useState, type ReactNode } from 'react';
import type { FontSummary } from '../../../src-main/api.ts';
import { CheckField, ColorField, ImageSourceField, LengthField, NumberField, PaletteField, SelectField, TextField } from './fields.tsx';
import { useApi, useDesign } from './design-context.ts';

export const SIZE_PRESETS = [
  { label: '270 × 40 (seed 002 captcha)', width: 270, height: 40 },
  { label: '160 × 60 captcha', width: 160, height: 60 },
  { label: '1024 × 768', width: 1024, height: 768 },
  { label: '1280 × 720', width: 1280, height: 720 },
  { label: '1920 × 1080', width: 1920, height: 1080 },
] as const;

const CHARSETS = ['digits', 'letters', 'lowercase', 'uppercase', 'alphanumeric', 'unambiguous', 'cjk', 'custom'] as const;

type LayerType = 'solid' | 'random-color' | 'linear-gradient' | 'radial-gradient' | 'ellipse' | 'circle' | 'rect' | 'blob' | 'bubbles' | 'stripes' | 'dots' | 'grid' | 'grain' | 'triangles' | 'image';
export const LAYER_TYPES: LayerType[] = ['solid', 'random-color', 'linear-gradient', 'radial-gradient', 'ellipse', 'circle', 'rect', 'blob', 'bubbles', 'stripes', 'dots', 'grid', 'grain', 'triangles', 'image'];

/** A new layer of each type, with every required field filled. */
export function newLayer(type: LayerType): Record<string, unknown> {
  const stops = [
    { offset: 0, color: '#4f7cac' },
    { offset: 1, color: '#c0e0de' },
  ];
  switch (type) {
    case 'solid':
      return { type, color: '#ffffff' };
    case 'linear-gradient':
    case 'radial-gradient':
      return { type, stops };
    case 'ellipse':
      return { type, box: [0, 0, 'w-1', 'h-1'], fill: '#f0efef80' };
    case 'circle':
      return { type, cx: 'w/2', cy: 'h/2', r: 'min(w,h)/4', fill: '#ff990080' };
    case 'rect':
      return { type, x: 'w/4', y: 'h/4', width: 'w/2', height: 'h/2', fill: '#3366cc55' };
    case 'blob':
      return { type, cx: 'w/2', cy: 'h/2', r: 'min(w,h)/3', fill: '#66aa8877' };
    case 'stripes':
      return { type, colors: ['#ffffff', '#eeeeee'] };
    case 'dots':
    case 'grid':
      return { type, color: '#00000022' };
    case 'triangles':
      return { type, colors: ['#264653', '#2a9d8f', '#e9c46a'] };
    case 'image':
      return { type, src: 'background.png' };
    default:
      return { type };
  }
}

function LayerFields({ i, type }: { i: number; type: string }) {
  const p = (f: string) => `background.${i}.${f}`;
  const fillOutline = (
    <>
      <ColorField path={p('fill')} label="Fill" fallback="" />
      <ColorField path={p('outline')} label="Outline" fallback="" />
      <NumberField path={p('outlineWidth')} label="Outline width" min={0} max={50} fallback={1} />
    </>
  );
  switch (type) {
    case 'solid':
      return <ColorField path={p('color')} label="Colour" />;
    case 'random-color':
      return (
        <>
          <NumberField path={p('min')} label="Channel min" min={0} max={255} fallback={0} />
          <NumberField path={p('max')} label="Channel max" min={0} max={255} fallback={255} />
          <NumberField path={p('alpha')} label="Alpha" min={0} max={255} fallback={255} />
        </>
      );
    case 'linear-gradient':
    case 'radial-gradient':
      return (
        <>
          {type === 'linear-gradient' ? (
            <NumberField path={p('angle')} label="Angle" min={-360} max={360} fallback={90} />
          ) : (
            <>
              <LengthField path={p('cx')} label="Centre x" />
              <LengthField path={p('cy')} label="Centre y" />
              <LengthField path={p('radius')} label="Radius" />
            </>
          )}
          <StopsField i={i} />
        </>
      );
    case 'ellipse':
      return (
        <>
          {['x0', 'y0', 'x1', 'y1'].map((n, k) => (
            <LengthField key={n} path={p(`box.${k}`)} label={`Box ${n}`} />
          ))}
          {fillOutline}
        </>
      );
    case 'circle':
    case 'blob':
      return (
        <>
          <LengthField path={p('cx')} label="Centre x" />
          <LengthField path={p('cy')} label="Centre y" />
          <LengthField path={p('r')} label="Radius" />
          {type === 'blob' && <NumberField path={p('points')} label="Points" min={3} max={32} fallback={8} />}
          {type === 'blob' && <NumberField path={p('irregularity')} label="Irregularity" min={0} max={1} step={0.05} fallback={0.35} />}
          {fillOutline}
        </>
      );
    case 'rect':
      return (
        <>
          <LengthField path={p('x')} label="x" />
          <LengthField path={p('y')} label="y" />
          <LengthField path={p('width')} label="Width" />
          <LengthField path={p('height')} label="Height" />
          <LengthField path={p('radius')} label="Corner radius" />
          {fillOutline}
        </>
      );
    case 'bubbles':
      return (
        <>
          <NumberField path={p('count')} label="Count" min={0} max={500} fallback={20} />
          <NumberField path={p('minRadius')} label="Min radius" min={0.5} max={200} fallback={4} />
          <NumberField path={p('maxRadius')} label="Max radius" min={0.5} max={400} fallback={24} />
          <NumberField path={p('alpha')} label="Bubble alpha" min={0} max={1} step={0.05} fallback={0.35} />
          <PaletteField path={p('colors')} label="Colours" />
        </>
      );
    case 'stripes':
      return (
        <>
          <NumberField path={p('width')} label="Stripe width" min={1} max={200} fallback={10} />
          <NumberField path={p('angle')} label="Angle" min={-360} max={360} fallback={45} />
          <PaletteField path={p('colors')} label="Colours" min={1} />
        </>
      );
    case 'dots':
      return (
        <>
          <ColorField path={p('color')} label="Colour" />
          <NumberField path={p('spacing')} label="Spacing" min={2} max={200} fallback={16} />
          <NumberField path={p('radius')} label="Dot radius" min={0.25} max={50} step={0.25} fallback={2} />
          <NumberField path={p('jitter')} label="Jitter" min={0} max={1} step={0.05} fallback={0} />
        </>
      );
    case 'grid':
      return (
        <>
          <ColorField path={p('color')} label="Colour" />
          <NumberField path={p('spacing')} label="Spacing" min={2} max={200} fallback={20} />
          <NumberField path={p('lineWidth')} label="Line width" min={0.25} max={20} step={0.25} fallback={1} />
        </>
      );
    case 'grain':
      return (
        <>
          <NumberField path={p('amount')} label="Amount" min={0} max={1} step={0.01} fallback={0.15} />
          <CheckField path={p('monochrome')} label="Monochrome" fallback />
        </>
      );
    case 'triangles':
      return (
        <>
          <NumberField path={p('cellSize')} label="Cell size" min={4} max={400} fallback={60} />
          <NumberField path={p('variance')} label="Variance" min={0} max={1} step={0.05} fallback={0.75} />
          <PaletteField path={p('colors')} label="Colours" min={1} />
        </>
      );
    case 'image':
      return (
        <>
          <ImageSourceField path={p('src')} label="Image" />
          <SelectField path={p('fit')} label="Fit" options={['cover', 'contain', 'stretch', 'tile']} fallback="cover" />
        </>
      );
    default:
      return null;
  }
}

function StopsField({ i }: { i: number }) {
  const { design, edit } = useDesign();
  const stops = ((design.background as { stops?: { offset: number; color: string }[] }[] | undefined)?.[i]?.stops ?? []) as { offset: number; color: string }[];
  return (
    <fieldset className="palette">
      <legend>Stops</legend>
      {stops.map((_, k) => (
        <div key={k} className="palette-item">
          <ColorField path={`background.${i}.stops.${k}.color`} label={`Stop ${k + 1} colour`} />
          <NumberField path={`background.${i}.stops.${k}.offset`} label={`Stop ${k + 1} offset`} min={0} max={1} step={0.01} />
          <button type="button" aria-label={`Remove stop ${k + 1}`} disabled={stops.length <= 2} onClick={() => edit(`background.${i}.stops`, stops.filter((_s, j) => j !== k))}>
            ✕
          </button>
        </div>
      ))}
      <button type="button" disabled={stops.length >= 16} onClick={() => edit(`background.${i}.stops`, [...stops, { offset: 1, color: stops[stops.length - 1]?.color ?? '#ffffff' }])}>
        Add stop
      </button>
    </fieldset>
  );
}

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
      <NumberField path="width" label="Width" min={1} max={4096} fallback={270} />
      <NumberField path="height" label="Height" min={1} max={4096} fallback={40} />
      <NumberField path="scale" label="Scale (@2x, @3x)" min={1} max={4} fallback={1} />
    </Section>
  );
}

function LayersSection() {
  const { design, edit } = useDesign();
  const layers = (design.background ?? []) as { type: string }[];
  const [adding, setAdding] = useState<LayerType>('solid');
  const move = (i: number, d: number) => {
    const next = layers.slice();
    [next[i], next[i + d]] = [next[i + d], next[i]];
    edit('background', next);
  };
  return (
    <Section title="Background layers">
      {layers.length === 0 && <p className="muted">No layers: the image is transparent.</p>}
      <ol className="layers">
        {layers.map((l, i) => (
          <li key={i}>
            <details open={layers.length <= 3}>
              <summary>
                <span>
                  {i + 1}. {l.type}
                </span>
                <span className="layer-actions">
                  <button type="button" aria-label={`Move layer ${i + 1} up`} disabled={i === 0} onClick={(e) => (e.preventDefault(), move(i, -1))}>
                    ↑
                  </button>
                  <button type="button" aria-label={`Move layer ${i + 1} down`} disabled={i === layers.length - 1} onClick={(e) => (e.preventDefault(), move(i, 1))}>
                    ↓
                  </button>
                  <button type="button" aria-label={`Remove layer ${i + 1}`} onClick={(e) => (e.preventDefault(), edit('background', layers.filter((_x, j) => j !== i)))}>
                    ✕
                  </button>
                </span>
              </summary>
              <LayerFields i={i} type={l.type} />
              <NumberField path={`background.${i}.opacity`} label="Opacity" min={0} max={1} step={0.01} fallback={1} />
            </details>
          </li>
        ))}
      </ol>
      <div className="add-row">
        <label htmlFor="add-layer-type">New layer</label>
        <select id="add-layer-type" value={adding} onChange={(e) => setAdding(e.target.value as LayerType)}>
          {LAYER_TYPES.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
        <button type="button" disabled={layers.length >= 32} onClick={() => edit('background', [...layers, newLayer(adding)])}>
          Add layer
        </button>
      </div>
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
  const families = [...new Set(fonts.map((f) => f.family))];
  const reload = () => api.listFonts().then(setFonts, (e: Error) => setMessage(e.message));
  useEffect(() => void reload(), [api]);
  useEffect(() => {
    // Font previews drawn by the core itself, so they show exactly what a captcha will use.
    for (const family of families) {
      if (previews[family]) continue;
      const sample = fonts.find((f) => f.family === family)?.cjk ? 'Aa 中字' : 'Aa Bb 123';
      api
        .renderThumbnail({ width: 150, height: 30, background: [{ type: 'solid', color: '#ffffff' }], text: { mode: 'fixed', value: sample, fonts: [family], size: 20, sizeJitter: 0, rotation: 0, baselineJitter: 0, color: { mode: 'palette', palette: ['#222222'] } } }, 1)
        .then((url) => setPreviews((p) => ({ ...p, [family]: url })), () => {});
    }
  }, [fonts]);
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

function TextSection() {
  const { design, edit } = useDesign();
  const text = design.text as Record<string, unknown> | undefined;
  if (!text)
    return (
      <Section title="Text">
        <p className="muted">No captcha text: this design is a background.</p>
        <button type="button" onClick={() => edit('text', { mode: 'random', charset: 'unambiguous', length: 5, fonts: ['DejaVu Sans'], size: 28 })}>
          Add captcha text
        </button>
      </Section>
    );
  const mode = (text.mode as string) ?? 'random';
  const colorMode = ((text.color as { mode?: string } | undefined)?.mode ?? 'random') as string;
  return (
    <Section title="Text">
      <SelectField path="text.mode" label="Mode" options={[{ value: 'random', label: 'Random characters' }, { value: 'fixed', label: 'Fixed text' }, { value: 'math', label: 'Math question' }]} fallback="random" />
      {mode === 'random' && (
        <>
          <SelectField path="text.charset" label="Charset" options={CHARSETS} fallback="unambiguous" />
          {text.charset === 'custom' && <TextField path="text.chars" label="Characters" />}
          <NumberField path="text.length" label="Length" min={1} max={32} fallback={5} />
        </>
      )}
      {mode === 'fixed' && <TextField path="text.value" label="Text" />}
      {mode === 'math' && (
        <>
          <NumberField path="text.math.min" label="Smallest operand" min={0} max={999} fallback={1} />
          <NumberField path="text.math.max" label="Largest operand" min={0} max={999} fallback={9} />
        </>
      )}
      <FontPool />
      <NumberField path="text.size" label="Size (px)" min={4} max={200} fallback={28} />
      <NumberField path="text.sizeJitter" label="Size jitter" min={0} max={0.9} step={0.01} fallback={0.15} />
      <NumberField path="text.rotation" label="Rotation (±°)" min={0} max={90} fallback={20} />
      <NumberField path="text.baselineJitter" label="Baseline jitter" min={0} max={1} step={0.01} fallback={0.1} />
      <NumberField path="text.spacing" label="Spacing (negative overlaps)" min={-0.8} max={4} step={0.05} fallback={0} />
      <div className="field">
        <label htmlFor="text-color-mode">Text colour</label>
        <select
          id="text-color-mode"
          value={colorMode}
          onChange={(e) => edit('text.color', e.target.value === 'palette' ? { mode: 'palette', palette: ['#1a1a1a'] } : { mode: 'random', minContrast: 3 })}
        >
          <option value="random">Random, with minimum contrast</option>
          <option value="palette">From a palette</option>
        </select>
      </div>
      {colorMode === 'palette' ? <PaletteField path="text.color.palette" label="Text colours" min={1} /> : <NumberField path="text.color.minContrast" label="Minimum contrast" min={1} max={21} step={0.5} fallback={3} />}
      <div className="field check">
        <input id="text-outline" type="checkbox" checked={!!text.outline} onChange={(e) => edit('text.outline', e.target.checked ? { color: '#ffffff', width: 1 } : undefined)} />
        <label htmlFor="text-outline">Outline</label>
      </div>
      {!!text.outline && (
        <>
          <ColorField path="text.outline.color" label="Outline colour" />
          <NumberField path="text.outline.width" label="Outline width" min={0.25} max={16} step={0.25} fallback={1} />
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
      <NumberField path="noise.lines" label="Lines" min={0} max={100} fallback={0} />
      <NumberField path="noise.curves" label="Curves" min={0} max={100} fallback={0} />
      <NumberField path="noise.dots" label="Dots" min={0} max={2000} fallback={0} />
      <NumberField path="noise.lineWidth" label="Line width" min={0.25} max={10} step={0.25} fallback={1.5} />
      <NumberField path="noise.dotRadius" label="Dot radius" min={0.25} max={8} step={0.25} fallback={1} />
      <NumberField path="noise.opacity" label="Noise opacity" min={0} max={1} step={0.01} fallback={1} />
      <SelectField path="noise.placement" label="Placement" options={[{ value: 'over', label: 'Over the text' }, { value: 'under', label: 'Under the text' }]} fallback="over" />
      <PaletteField path="noise.colors" label="Noise colours" />
    </Section>
  );
}

function DistortionSection() {
  return (
    <Section title="Distortion" open={false}>
      <NumberField path="distortion.wave.amplitude" label="Wave amplitude" min={0} max={40} step={0.5} fallback={0} />
      <NumberField path="distortion.wave.period" label="Wave period" min={1} max={400} fallback={40} />
      <SelectField path="distortion.wave.direction" label="Wave direction" options={['horizontal', 'vertical']} fallback="horizontal" />
    </Section>
  );
}

function OutputSection() {
  const { design } = useDesign();
  const format = (design.output as { format?: string } | undefined)?.format ?? 'png';
  return (
    <Section title="Output" open={false}>
      <SelectField path="output.format" label="Format" options={['png', 'jpeg', 'webp']} fallback="png" />
      {format === 'png' ? <NumberField path="output.compression" label="PNG effort (0 fastest – 9 smallest)" min={0} max={9} fallback={2} /> : <NumberField path="output.quality" label="Quality" min={1} max={100} fallback={90} />}
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
