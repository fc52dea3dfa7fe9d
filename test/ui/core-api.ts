/** A StudioApi for component tests backed by the real core in-process (no IPC, no HTTP). */
import { vi } from 'vitest';
import type { PreviewOutcome, StudioApi } from '../../src-main/api.ts';
import { fontRegistry } from '../../src-main/core/fonts.ts';
import { getPreset, listPresets } from '../../src-main/core/presets.ts';
import { renderDesign } from '../../src-main/core/render.ts';
import { checkPreviewInput } from '../../src-main/studio/preview.ts';

export function corePreview(design: unknown, seed: number): PreviewOutcome {
  const c = checkPreviewInput(design, seed);
  if (!c.ok) return { ok: false, issues: c.issues };
  const r = renderDesign(c.design, { seed: c.seed });
  return { ok: true, width: r.width, height: r.height, pixels: new Uint8Array(r.pixels.buffer), seed: r.seed, answer: r.challenge?.answer ?? null };
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
    renderThumbnail: async () => 'data:image/png;base64,',
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
    publishDesign: async (d) => ({ name: String((d as { name?: string }).name), path: `/designs/${(d as { name?: string }).name}.png` }),
    onRequestLog: () => () => {},
    onMenuCommand: () => () => {},
    ...over,
  };
  return api;
}
