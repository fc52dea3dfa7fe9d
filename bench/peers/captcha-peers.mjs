/**
 * The captcha servers bench:server measures Captcha Studio against, doing the same
 * job as its captcha route: draw a fresh captcha, remember its answer under a
 * random id (a Map in the process's memory), send the image with the id in a
 * header and a cookie. Each is a node:cluster of `--workers` HTTP processes (2:
 * one per core here), as a developer would deploy them.
 *
 *   node bench/peers/captcha-peers.mjs --kind svg|trek|ceiling --port N [--workers 2]
 *
 * svg:     svg-captcha 1.4 (create(): 4 characters, noise lines, SVG text)
 * trek:    trek-captcha 0.4 (5 characters, an animated-style GIF drawn in JS)
 * ceiling: no drawing at all: a fixed 2.5 KB PNG, a fresh id and the Map insert,
 *          the least any captcha server can do per request over node:http.
 *
 * Every route answers GET /captcha (any path, so the seeds' URLs work too).
 * Prints "listening on http://..." once every worker listens.
 */
import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const { values: v } = parseArgs({ options: { kind: { type: 'string' }, port: { type: 'string' }, workers: { type: 'string' } } });
const kind = v.kind;
const port = Number(v.port ?? 0);
const workers = Number(v.workers ?? 2);
if (!['svg', 'trek', 'ceiling'].includes(kind ?? '')) throw new Error('usage: captcha-peers.mjs --kind svg|trek|ceiling --port N [--workers 2]');

if (cluster.isPrimary) {
  let listening = 0;
  for (let i = 0; i < workers; i++) cluster.fork().on('listening', () => ++listening === workers && console.log(`${kind} listening on http://127.0.0.1:${port}`));
  cluster.on('exit', (_w, code, signal) => {
    console.error(`${kind}: a worker exited (${signal ?? code})`);
    process.exit(1);
  });
  process.on('SIGTERM', () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGTERM');
    process.exit(0);
  });
} else {
  const require = createRequire(import.meta.url);
  /** Answers by id, as the peers' own examples keep them (a session store is a Map in memory). Cleared at a million. */
  const answers = new Map();
  const remember = (answer) => {
    if (answers.size >= 1_000_000) answers.clear();
    const id = randomBytes(16).toString('base64url');
    answers.set(id, answer);
    return id;
  };
  let draw;
  if (kind === 'svg') {
    const svgCaptcha = require('svg-captcha');
    draw = async () => {
      const c = svgCaptcha.create();
      return { answer: c.text, body: Buffer.from(c.data), type: 'image/svg+xml' };
    };
  } else if (kind === 'trek') {
    const trek = require('trek-captcha');
    draw = async () => {
      const { token, buffer } = await trek();
      return { answer: token, body: buffer, type: 'image/gif' };
    };
  } else {
    // seed-002-captcha at seed 866326025 (2,467 bytes): on the wire it costs what ours do.
    const png = readFileSync(new URL('./ceiling.png', import.meta.url));
    draw = async () => ({ answer: 'fixed', body: png, type: 'image/png' });
  }
  createServer(async (_req, res) => {
    const { answer, body, type } = await draw();
    const id = remember(answer);
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': body.length, 'Cache-Control': 'no-store', 'X-Captcha-Id': id, 'Set-Cookie': `captcha_id=${id}; Path=/; HttpOnly; SameSite=Lax` });
    res.end(body);
  }).listen(port, '127.0.0.1');
}
