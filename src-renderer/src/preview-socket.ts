/**
 * Web mode's preview channel, the page's side (the server's is src-main/server/preview-socket.ts,
 * the frame layout in api.ts beside PREVIEW_SOCKET_PATH). One WebSocket, opened on first use.
 * `request` answers null when the channel cannot carry a request (no socket yet, it closed,
 * the browser has no WebSocket): the caller then uses POST /api/studio/preview, which
 * answers the same thing, so a proxy that drops WebSockets costs speed, never previews.
 */
import type { PreviewOutcome, PreviewPixels, PreviewSocketImage, PreviewSocketPath, PreviewSocketReply, PreviewSocketRequest, PreviewView } from '../../src-main/api.ts';

const PATH: PreviewSocketPath = '/api/studio/preview-socket';
/** After a socket fails to open or drops, previews go over fetch this long before it is tried again. */
const RETRY_AFTER_MS = 5000;

type Waiter = (outcome: PreviewOutcome | null) => void;

/**
 * Raw replies larger than this go over POST: Chromium hands a WebSocket message over in
 * pieces and rebuilds it, which cost a 1920x1080 preview (8 MB) about 40 % more than a
 * fetch on this machine, while below it the socket's lower cost per message wins.
 * A caller that accepts PNG (the preview worker) always uses the socket: large previews
 * then come compressed.
 */
export const SOCKET_MAX_BYTES = 2 * 1024 * 1024;

/** The reply's size as the page can tell it: the design's size at the scale asked for. */
export function expectedBytes(design: unknown, view?: PreviewView | null): number {
  const d = (design ?? {}) as { width?: unknown; height?: unknown; scale?: unknown };
  const num = (v: unknown, or: number) => (typeof v === 'number' && Number.isFinite(v) ? v : or);
  const scale = view ? view.scale : num(d.scale, 1);
  return num(d.width, 0) * num(d.height, 0) * scale * scale * 4;
}

export interface PreviewChannel {
  /** `accept: 'png'`: a large image may come as a PNG (`encoding: 'png'`), which the caller decodes. */
  request(design: unknown, seed: number, view?: PreviewView | null, accept?: 'png'): Promise<PreviewOutcome | null>;
  close(): void;
}

/** A rendered image's reply: [u32 LE n][n bytes of JSON][RGBA pixels]. */
export function decodeImage(buf: ArrayBuffer): { id: number; outcome: PreviewPixels } {
  const n = new DataView(buf).getUint32(0, true);
  const { id, ...meta } = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 4, n))) as PreviewSocketImage;
  return { id, outcome: { ...meta, pixels: new Uint8Array(buf, 4 + n) } };
}

export function socketUrl(base: string, at: string = location.href): string {
  const url = new URL(PATH, base || at);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

export function createPreviewChannel(base = ''): PreviewChannel {
  const waiting = new Map<number, Waiter>();
  let socket: WebSocket | null = null;
  let ready = false;
  let retryAt = 0;
  let nextId = 0;

  const settle = (id: number, outcome: PreviewOutcome | null) => {
    const w = waiting.get(id);
    waiting.delete(id);
    w?.(outcome);
  };
  const drop = (s: WebSocket) => {
    if (socket !== s) return;
    socket = null;
    ready = false;
    retryAt = Date.now() + RETRY_AFTER_MS;
    // What was in flight goes over fetch instead.
    for (const id of [...waiting.keys()]) settle(id, null);
  };
  const open = () => {
    if (socket || typeof WebSocket === 'undefined' || Date.now() < retryAt) return;
    let s: WebSocket;
    try {
      s = new WebSocket(socketUrl(base));
    } catch {
      retryAt = Date.now() + RETRY_AFTER_MS;
      return;
    }
    socket = s;
    s.binaryType = 'arraybuffer';
    s.onopen = () => void (ready = socket === s);
    s.onclose = () => drop(s);
    s.onmessage = (m: MessageEvent<ArrayBuffer | string>) => {
      if (typeof m.data === 'string') {
        const { id, ...rest } = JSON.parse(m.data) as PreviewSocketReply;
        // Not about the design (the server failed): the fetch route reports it properly.
        settle(id, 'error' in rest ? null : rest);
      } else {
        const { id, outcome } = decodeImage(m.data);
        settle(id, outcome);
      }
    };
  };

  return {
    request(design, seed, view, accept) {
      if (accept !== 'png' && expectedBytes(design, view) > SOCKET_MAX_BYTES) return Promise.resolve(null);
      open();
      if (!socket || !ready) return Promise.resolve(null);
      const id = ++nextId;
      const s = socket;
      return new Promise<PreviewOutcome | null>((resolve) => {
        waiting.set(id, resolve);
        try {
          s.send(JSON.stringify({ id, design, seed, view, accept } satisfies PreviewSocketRequest));
        } catch {
          drop(s);
        }
      });
    },
    close() {
      const s = socket;
      if (s) {
        drop(s);
        s.close();
      }
    },
  };
}
