/** examples/express over real HTTP: issue, verify right and wrong, replay refused, fail closed. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { exampleRoundTrip, type StartApp } from './example-round-trip.ts';

const start: StartApp = async (mod, captchas) => {
  const app = (mod as { createApp: (c: typeof captchas) => Express }).createApp(captchas);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
};

exampleRoundTrip('express', start);
