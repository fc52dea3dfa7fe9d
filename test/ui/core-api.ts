/** A StudioApi for component tests backed by the real core in-process (no IPC, no HTTP). */
import { vi } from 'vitest';
import type { PreviewOutcome, StudioApi } from '../../src-main/api.ts';
import { usesRandomness } from '../../src-main/core/design.ts';
import { fitText } from '../../src-main/core/fit-text.ts';
import { fontRegistry } from '../../src-main/core/fonts.ts';
import { legibilityWarnings } from '../../src-main/core/legibility.ts';
import { getPreset, listPresets } from '../../src-main/core/presets.ts';
import { renderDesign } from '../../src-main/core/render.ts';
import { checkPreviewInput } from '../../src-main/studio/preview.ts';

/** The preview a StudioApi gives, at full size (views are the pipeline's own tests). */
export function corePreview(design: unknown, seed: number): PreviewOutcome {
  const c = checkPreviewInput(design, seed);
  if (!c.ok) return { ok: false, issues: c.issues };
  const d = c.design;
  const r = renderDesign(d, { seed: c.seed });
  return {
    ok: true,
    width: r.width,
    height: r.height,
    pixels: new Uint8Array(r.pixels.buffer),
    seed: r.seed,
    answer: r.challenge?.answer ?? null,
    designWidth: d.width,
    designHeight: d.height,
    scale: d.scale,
    random: usesRandomness(d),
    glyphs: r.glyphs,
    warnings: legibilityWarnings(d, r.glyphs),
  };
}

export function coreApi(over: Partial<StudioApi> = {}): StudioApi {
  const nope = () => Promise.reject(new Error('not in this test'));
  const api: StudioApi = {
    info: async () => ({ mode: 'web', version: 'test', problems: [] }),
    listPresets: async () => listPresets(),
    getPreset: async (n) => getPreset(n)!,
    listFonts: async () => fontRegistry().list(),
    importFont: nope,
    renderPreview: vi.fn(async (d, s) => corePreview(d, s)),
    fitText: async (d) => {
      const c = checkPreviewInput(d, 1);
      if (!c.ok) throw new Error(c.issues.map((i) => `${i.field}: ${i.rule}`).join('; '));
      return { changes: fitText(c.design) };
    },
    renderThumbnail: async () => 'data:image/png;base64,',
    previewAudio: nope,
    startStrengthCheck: nope,
    strengthStatus: nope,
    cancelStrengthCheck: nope,
    // The answers are the core's at each seed; the images are not needed by component tests.
    renderSamples: async (d, seeds) => ({
      samples: seeds.map((seed) => {
        const p = corePreview(d, seed);
        if (!p.ok) throw new Error('invalid design');
        return { seed, answer: p.answer, image: 'data:image/png;base64,', width: p.width, height: p.height };
      }),
    }),
    openDesign: nope,
    saveDesign: vi.fn(async () => ({ path: null, name: 'saved.json' })),
    listRecent: async () => [],
    autosave: vi.fn(async () => {}),
    restoreAutosave: async () => null,
    setDocumentState: vi.fn(async () => {}),
    exportImage: nope,
    exportBatch: nope,
    cancelBatch: async () => {},
    serverStatus: async () => ({ running: true, url: 'http://127.0.0.1:7878', port: 7878, preferredPort: 7878, message: null, controllable: false }),
    startServer: nope,
    stopServer: nope,
    publishDesign: async (d) => {
      const { name, width = 270, height = 40 } = d as { name?: string; width?: number; height?: number };
      return { name: String(name), path: `/designs/${name}.png?v=000000000000`, version: '000000000000', stored: 'memory', added: true, width, height, captcha: false, seed: null, issuePath: null };
    },
    onRequestLog: () => () => {},
    onMenuCommand: () => () => {},
    ...over,
  };
  return api;
}
