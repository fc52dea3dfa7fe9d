/**
 * Web mode's preview channel (api.ts, PREVIEW_SOCKET_PATH): the designer's live previews
 * over one WebSocket per page instead of a fetch per edit. Same checks, same renderer and
 * the same latest-wins queue as POST /api/studio/preview (studio/preview.ts); only the
 * transport differs, which is where Chromium spent most of a small preview's time.
 *
 * The upgrade passes the studio guards the HTTP routes get where they are mounted (host,
 * studio access, web mode on) plus an Origin check: a WebSocket is not bound by CORS, so
 * without it any page in the browser could open one to this loopback server.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { InputError } from '../core/input-error.ts';
import type { PreviewSocketImage, PreviewSocketReply, PreviewSocketRequest, PreviewView } from '../api.ts';
import { previewMeta, type PreviewService } from '../studio/preview.ts';
import { MAX_DESIGN_BODY } from './http-util.ts';

export interface PreviewSocketLimits {
  /** Open preview sockets at once, for the whole server (a page holds one). */
  maxSockets: number;
  /** Replies a client has not read yet, in bytes, before its socket is closed. */
  maxBuffered: number;
}

const DEFAULTS: PreviewSocketLimits = { maxSockets: 32, maxBuffered: 64 * 1024 * 1024 };

/** Close codes (RFC 6455): 1003 a frame of a kind this channel never takes, 1008 policy (a bad message), 1013 try again later. */
const UNSUPPORTED = 1003;
const POLICY = 1008;
const OVERLOADED = 1013;

export class PreviewSockets {
  private readonly wss: WebSocketServer;
  private readonly limits: PreviewSocketLimits;
  private next = 0;

  constructor(
    private readonly previews: PreviewService,
    limits: Partial<PreviewSocketLimits> = {},
  ) {
    this.limits = { ...DEFAULTS, ...limits };
    // A design may carry an image layer as a data URL: the HTTP route's body limit. No
    // compression: pixels barely compress, and deflate would cost both ends CPU per frame.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_DESIGN_BODY, perMessageDeflate: false, clientTracking: true });
  }

  /**
   * Takes an upgrade the server's guards let through (server.ts). Throws an InputError
   * (answered as HTTP before any upgrade) when this one is refused.
   */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.wss.clients.size >= this.limits.maxSockets) {
      throw new InputError('socket', `at most ${this.limits.maxSockets} preview sockets are open at once`, { kind: 'busy', retryAfter: 5 });
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.serve(ws));
  }

  private serve(ws: WebSocket): void {
    // The key PreviewService queues by: one rendering and one waiting per socket.
    const client = `ws:${++this.next}`;
    ws.on('error', () => ws.terminate());
    ws.on('message', (data, isBinary) => {
      if (isBinary) return ws.close(UNSUPPORTED, 'preview requests are JSON text frames');
      let msg: Partial<PreviewSocketRequest>;
      try {
        msg = JSON.parse(String(data)) as Partial<PreviewSocketRequest>;
      } catch {
        return ws.close(POLICY, 'a preview request must be JSON');
      }
      if (!msg || typeof msg !== 'object' || !Number.isSafeInteger(msg.id)) return ws.close(POLICY, 'a preview request needs an integer id');
      const id = msg.id as number;
      if (msg.accept !== undefined && msg.accept !== 'png')
        return ws.send(JSON.stringify({ id, ok: false, issues: [{ field: 'accept', rule: 'must be "png" or left out' }] } satisfies PreviewSocketReply));
      void this.previews.preview(client, msg.design, msg.seed, msg.view as PreviewView | null | undefined, { acceptPng: msg.accept === 'png' }).then(
        (out) => {
          if (ws.readyState !== ws.OPEN) return;
          // A page that sends and never reads would make this server hold every reply.
          if (ws.bufferedAmount > this.limits.maxBuffered) return ws.close(OVERLOADED, 'replies are not being read');
          if (!out.ok) return ws.send(JSON.stringify({ id, ...out } satisfies PreviewSocketReply));
          const meta = Buffer.from(JSON.stringify({ id, ok: true, width: out.width, height: out.height, seed: out.seed, answer: out.answer, encoding: out.encoding, ...previewMeta(out) } satisfies PreviewSocketImage));
          const frame = Buffer.allocUnsafe(4 + meta.length + out.pixels.byteLength);
          frame.writeUInt32LE(meta.length, 0);
          meta.copy(frame, 4);
          frame.set(out.pixels, 4 + meta.length);
          ws.send(frame, { binary: true });
        },
        (e: unknown) => {
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id, ok: false, error: (e as Error).message ?? 'internal error' } satisfies PreviewSocketReply));
        },
      );
    });
  }

  /** Closes every preview socket: the server is stopping. */
  close(): void {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }
}
