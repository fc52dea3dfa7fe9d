/** NosniffResponse (server/http-util.ts): however a route writes its head, the header is there, once. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NosniffResponse } from '../../src-main/server/http-util.ts';
import { call } from '../support/http.ts';

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer({ ServerResponse: NosniffResponse }, (req, res) => {
    if (req.url === '/implicit') return void res.end('no writeHead'); // Node writes the head itself
    if (req.url === '/array') return void res.writeHead(201, ['X-A', 'a', 'Content-Type', 'text/plain']).end('flat array');
    if (req.url === '/pairs') return void res.writeHead(201, [['X-A', 'a'], ['Content-Type', 'text/plain']]).end('pairs');
    if (req.url === '/array-after-set') {
      res.setHeader('X-B', 'b');
      return void res.writeHead(201, ['X-A', 'a']).end();
    }
    if (req.url === '/message') return void res.writeHead(202, 'Fine', { 'X-A': 'a' }).end();
    if (req.url === '/set-first') {
      res.setHeader('X-A', 'a');
      return void res.writeHead(203, { 'X-B': 'b' }).end();
    }
    res.writeHead(200, { 'X-Content-Type-Options': 'nosniff', 'X-A': 'a' }).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

describe('NosniffResponse', () => {
  it.each([
    ['/implicit', 200],
    ['/array', 201],
    ['/pairs', 201],
    ['/array-after-set', 201],
    ['/message', 202],
    ['/set-first', 203],
    ['/already', 200],
  ])('%s: status %i, nosniff once, the route’s own headers kept', async (path, status) => {
    const r = await call(base, path);
    expect(r.status).toBe(status);
    // Node joins a repeated header with ", ": exactly "nosniff" means it came once.
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    if (path !== '/implicit') expect(r.headers['x-a']).toBe('a');
    if (path === '/set-first' || path === '/array-after-set') expect(r.headers['x-b']).toBe('b');
  });
});
