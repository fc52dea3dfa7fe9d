// Minimal studio page: pick a preset, see it rendered by the core, reroll the seed.
// The full designer (inspector, export, server panel) is built on the same StudioApi.
import { useEffect, useState } from 'react';
import type { PreviewResult, StudioApi } from '../../src-main/api.ts';
import type { PresetSummary } from '../../src-main/core/presets.ts';

declare global {
  interface Window {
    studio: StudioApi;
  }
}

export function App() {
  const [presets, setPresets] = useState<PresetSummary[]>([]);
  const [selected, setSelected] = useState('seed-002-captcha');
  const [seed, setSeed] = useState(1);
  const [preview, setPreview] = useState<PreviewResult | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    window.studio.listPresets().then(setPresets, (e: Error) => setError(e.message));
  }, []);

  useEffect(() => {
    let current = true; // latest wins: an older, slower render never replaces a newer one
    window.studio.getPreset(selected).then((design) => window.studio.renderPreview(design, seed)).then(
      (p) => current && (setPreview(p), setError(null)),
      (e: Error) => current && setError(e.message),
    );
    return () => {
      current = false;
    };
  }, [selected, seed]);

  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', padding: 16 }}>
      <h1 style={{ fontSize: 20 }}>Captcha Studio</h1>
      <label>
        Preset{' '}
        <select value={selected} onChange={(e) => setSelected(e.target.value)}>
          {presets.map((p) => (
            <option key={p.name} value={p.name}>
              {p.name} ({p.width}x{p.height})
            </option>
          ))}
        </select>
      </label>{' '}
      <button onClick={() => setSeed((s) => (s + 1) % 2 ** 32)}>Reroll</button>
      {error && <p role="alert">{error}</p>}
      {preview && (
        <figure>
          <img src={preview.dataUrl} width={preview.width} height={preview.height} alt="preview" style={{ maxWidth: '100%' }} />
          <figcaption>
            seed {preview.seed}
            {preview.answer !== null && <> · answer {preview.answer}</>}
          </figcaption>
        </figure>
      )}
    </main>
  );
}
