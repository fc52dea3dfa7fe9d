/** A raw HTTP client for server tests: they control every header (Host included) and see every byte. */
import { Agent, request } from 'node:http';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  json: () => any;
}

export interface CallOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  agent?: Agent;
  /** Sent as is, not normalised by URL parsing (for traversal and malformed paths). */
  rawPath?: boolean;
}

export function call(base: string, path: string, opts: CallOptions = {}): Promise<Reply> {
  const url = new URL(base);
  // Node sends DELETE/OPTIONS/HEAD bodies with neither length nor chunking (the
  // bytes would read as the next request), so a body always gets its length.
  const body = opts.body === undefined ? undefined : Buffer.from(opts.body);
  const headers = body ? { 'Content-Length': String(body.length), ...opts.headers } : opts.headers;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: opts.rawPath ? path : new URL(path, base).pathname + new URL(path, base).search, method: opts.method ?? 'GET', headers, agent: opts.agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode!, headers: res.headers, body, json: () => JSON.parse(body.toString()) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

export const postJson = (base: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
  call(base, path, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

/**
 * One StudioApi call over web mode's generic route, `POST /api/studio/<method>` with
 * `{"args": [...]}`, as web-api.ts sends it (bytes as `bytesArg`).
 */
export const studioCall = (base: string, method: string, args: unknown[] = [], headers: Record<string, string> = {}) => postJson(base, `/api/studio/${method}`, { args }, headers);

/** A picked file as the page sends it over JSON: its bytes as `{"$bytes": "<base64>"}`. */
export const pickedFileArg = (name: string, content: string | Uint8Array) => ({ name, bytes: { $bytes: Buffer.from(content).toString('base64') } });
