/**
 * StudioApi over HTTP, for web mode (/studio/ served by `captcha-studio serve`).
 * The calls api.ts's table marks `web: 'server'` go to `POST /api/studio/:method`
 * unchanged (derived: no line here per call); the rest are served in the page:
 * files the desktop would write go to the browser as downloads, recent designs and
 * the autosave live in this browser's localStorage, and binary or streamed calls
 * (preview pixels, font upload, image and zip downloads, the request log) use
 * their own routes. Imports types only from src-main.
 */
import type {
  BatchProgress,
  Design,
  DesignInput,
  MenuCommand,
  OpenedDesign,
  PickedFile,
  PreviewOutcome,
  PreviewView,
  RecentDesign,
  RequestLogEntry,
  SavedDesign,
  StudioApi,
  WebServerMethod,
} from '../../src-main/api.ts';

import { createPreviewChannel } from './preview-socket.ts';
import { failure, fetchPreview } from './preview-fetch.ts';
import type { PreviewCanvasHost } from './preview-surface.ts';
import { startPreviewWorker } from './preview-worker-client.ts';

const RECENT_KEY = 'captcha-studio:recent';
const AUTOSAVE_KEY = 'captcha-studio:autosave';
const MAX_RECENT = 10;
/** How long a title change waits (web mode): long enough to land after an edit's preview. */
export const TITLE_DELAY_MS = 100;

interface StoredRecent {
  path: string;
  name: string;
  design: Design;
  openedAt: number;
}

function download(blob: Blob, name: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
}


function readRecent(): StoredRecent[] {
  try {
    const v = JSON.parse(localStorage.getItem(RECENT_KEY) ?? '[]');
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}

/** Recent designs are keyed by file name (without .json): the same name again replaces the older entry. */
function remember(design: Design, name: string): void {
  const path = `web:${name}`;
  const list = [{ path, name: design.name, design, openedAt: Date.now() }, ...readRecent().filter((r) => r.path !== path)].slice(0, MAX_RECENT);
  try {
    localStorage.setItem(RECENT_KEY, JSON.stringify(list));
  } catch {
    /* storage full: recents are a convenience */
  }
}

export function createWebApi(base = ''): StudioApi & Partial<PreviewCanvasHost> {
  const client = Math.random().toString(36).slice(2, 10);
  let pendingTitle = '';
  let titleTimer: ReturnType<typeof setTimeout> | undefined;
  const post = (path: string, body: unknown) => fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const json = async <T>(p: Promise<Response>): Promise<T> => {
    const res = await p;
    if (!res.ok) throw await failure(res);
    return (await res.json()) as T;
  };
  /** Bytes travel as base64 in JSON (server/studio-calls.ts turns them back). */
  const encodeArg = (a: unknown) => (a && typeof a === 'object' && (a as PickedFile).bytes instanceof Uint8Array ? { ...(a as PickedFile), bytes: { $bytes: base64((a as PickedFile).bytes) } } : a);
  const call = <T>(method: string, args: unknown[]): Promise<T> => json<T>(post(`/api/studio/${method}`, { args: args.map(encodeArg) }));
  // Previews go over one WebSocket when it can be had (preview-socket.ts), else over POST;
  // from the preview worker, which can own the canvas (preview-surface.ts), where there is one.
  const previews = createPreviewChannel(base);
  const renderHere = async (design: unknown, seed: number, view?: PreviewView | null): Promise<PreviewOutcome> =>
    (await previews.request(design, seed, view)) ?? fetchPreview(base, client, design, seed, view);
  const worker = startPreviewWorker(base, client, renderHere);
  const logListeners = new Set<(e: RequestLogEntry) => void>();
  let events: EventSource | null = null;
  let opening: Promise<void> | null = null;

  /**
   * The request-log stream. /api/studio/info (same-origin only) gives this page the
   * server's stream key, which buys it its own slots: other clients' streams cannot
   * lock it out. When the server closes the stream (streams have a maximum age)
   * EventSource reconnects by itself and is replayed what it missed; when it is
   * refused for good (a restarted server has a new key) the key is fetched again.
   */
  const openEvents = async (): Promise<void> => {
    let key = '';
    try {
      key = (await api.info()).eventsKey ?? '';
    } catch {
      /* unreachable for now: the retry below tries again */
    }
    opening = null;
    if (logListeners.size === 0 || events) return;
    const source = new EventSource(`${base}/api/studio/events${key ? `?key=${encodeURIComponent(key)}` : ''}`);
    events = source;
    source.onmessage = (m) => {
      const entry = JSON.parse(m.data) as RequestLogEntry;
      for (const l of logListeners) l(entry);
    };
    source.onerror = () => {
      if (source.readyState !== EventSource.CLOSED || events !== source) return; // reconnecting by itself
      events = null;
      setTimeout(() => {
        if (logListeners.size && !events && !opening) opening = openEvents();
      }, 5000);
    };
  };

  /** What the page serves itself; everything else is a call to the server. */
  const own: Omit<StudioApi, Exclude<WebServerMethod, 'openDesign' | 'saveDesign'>> = {
    async importFont(file) {
      if (!file) return null;
      const res = await fetch(`${base}/api/studio/fonts`, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream', 'X-Font-Name': encodeURIComponent(file.name) }, body: file.bytes as BodyInit });
      if (!res.ok) throw await failure(res);
      return res.json();
    },
    async renderPreview(design: DesignInput, seed: number, view?: PreviewView | null): Promise<PreviewOutcome> {
      return worker ? worker.render(design, seed, view) : renderHere(design, seed, view);
    },
    async openDesign(from) {
      if (!from || !('bytes' in from)) {
        if (from && 'path' in from) {
          const hit = readRecent().find((r) => r.path === from.path);
          if (!hit) throw new Error(`path: ${from.path} is no longer in this browser's recent designs`);
          remember(hit.design, hit.name);
          return { design: hit.design, path: null, name: hit.name };
        }
        return null;
      }
      const opened = await call<OpenedDesign>('openDesign', [from]);
      remember(opened.design, from.name.replace(/\.json$/i, ''));
      return opened;
    },
    async saveDesign(design) {
      // Checked by the server as a design file is when opened, so a download is always a
      // loadable file (defaults filled in); the server names it by its rule.
      const opened = await parseOnServer('design.json', JSON.stringify(design));
      const saved = (await call<SavedDesign>('saveDesign', [opened.design]))!;
      download(new Blob([JSON.stringify(opened.design, null, 2) + '\n'], { type: 'application/json' }), saved.name);
      remember(opened.design, saved.name.replace(/\.json$/i, ''));
      return saved;
    },
    async listRecent(): Promise<RecentDesign[]> {
      return Promise.all(
        readRecent().map(async (r) => ({
          path: r.path,
          name: r.name,
          width: r.design.width,
          height: r.design.height,
          openedAt: r.openedAt,
          thumbnail: await api.renderThumbnail(r.design as DesignInput).catch(() => undefined),
        })),
      );
    },
    async autosave(design) {
      try {
        if (design === null) localStorage.removeItem(AUTOSAVE_KEY);
        else localStorage.setItem(AUTOSAVE_KEY, JSON.stringify(design));
      } catch {
        /* storage full or disabled */
      }
    },
    async restoreAutosave() {
      const text = localStorage.getItem(AUTOSAVE_KEY);
      if (!text) return null;
      try {
        return await parseOnServer('autosave', text);
      } catch (e) {
        if (e instanceof TypeError) throw e; // the server is unreachable: the text may be fine
        // Kept aside, so the next autosave does not overwrite what may be the user's work.
        localStorage.setItem(`${AUTOSAVE_KEY}.broken`, text);
        localStorage.removeItem(AUTOSAVE_KEY);
        throw new Error(`The autosaved design could not be restored (${(e as Error).message}); it was kept in this browser's storage under "${AUTOSAVE_KEY}.broken".`, { cause: e });
      }
    },
    async setDocumentState({ title, dirty }) {
      // Setting document.title costs the page about half a millisecond (the browser is told):
      // coalesced and done after the edit's preview rather than between the input and its pixels.
      pendingTitle = `${dirty ? '• ' : ''}${title} — Captcha Studio`;
      titleTimer ??= setTimeout(() => {
        titleTimer = undefined;
        if (document.title !== pendingTitle) document.title = pendingTitle;
      }, TITLE_DELAY_MS);
    },
    async exportImage(design, seed) {
      const res = await post('/api/studio/export', { design, seed });
      if (!res.ok) throw await failure(res);
      const name = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') ?? '')?.[1] ?? 'image.png';
      const blob = await res.blob();
      download(blob, name);
      return { path: name, width: Number(res.headers.get('X-Width')), height: Number(res.headers.get('X-Height')), bytes: blob.size };
    },
    async exportBatch(design, count, onProgress) {
      type Job = BatchProgress & { state: string; error?: string; name: string };
      let job = await json<Job>(post('/api/studio/batch', { design, count }));
      onProgress(job);
      while (job.state === 'running') {
        await new Promise((r) => setTimeout(r, 150));
        job = await json<Job>(fetch(`${base}/api/studio/batch/${job.id}`));
        onProgress(job);
      }
      if (job.state === 'cancelled') return { path: job.name, count: 0, cancelled: true };
      if (job.state !== 'done') throw new Error(job.error ?? 'the batch export failed');
      const res = await fetch(`${base}/api/studio/batch/${job.id}.zip`);
      if (!res.ok) throw await failure(res);
      download(await res.blob(), job.name);
      return { path: job.name, count, cancelled: false };
    },
    async cancelBatch(id) {
      const res = await fetch(`${base}/api/studio/batch/${encodeURIComponent(id)}`, { method: 'DELETE' });
      if (!res.ok && res.status !== 404) throw await failure(res);
    },
    onRequestLog(listener) {
      logListeners.add(listener);
      if (!events && !opening) opening = openEvents();
      return () => {
        logListeners.delete(listener);
        if (logListeners.size === 0 && events) {
          events.close();
          events = null;
        }
      };
    },
    onMenuCommand(_listener: (c: MenuCommand) => void) {
      return () => {};
    },
  };
  /** Checks a design file's text with the server's schema (what a download will be loaded with). */
  const parseOnServer = (name: string, text: string) => call<OpenedDesign>('openDesign', [{ name, bytes: new TextEncoder().encode(text) }]);
  // Any other name is a call the server serves (api.ts's `web: 'server'` rows).
  // `then` stays undefined, so the api is never mistaken for a promise.
  // The preview canvas can go to the worker: PreviewCanvas finds these with isPreviewCanvasHost.
  const host: Partial<PreviewCanvasHost> = worker ? { attachPreviewCanvas: (c) => worker.attachPreviewCanvas(c), drawOnPreviewCanvas: (img) => worker.drawOnPreviewCanvas(img) } : {};
  const api = new Proxy(Object.assign(own, host) as StudioApi & Partial<PreviewCanvasHost>, {
    get: (target, key, receiver) =>
      typeof key !== 'string' || key in target || key === 'then' || key === 'toJSON' ? Reflect.get(target, key, receiver) : (...args: unknown[]) => call(key, args),
  });
  return api;
}

function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
