/** examples/fastify over real HTTP: issue, verify right and wrong, replay refused, fail closed. */
import type { FastifyInstance } from 'fastify';
import { exampleRoundTrip, type StartApp } from './example-round-trip.ts';

const start: StartApp = async (mod, captchas) => {
  const app = (mod as { createApp: (c: typeof captchas) => FastifyInstance }).createApp(captchas);
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  return { base, stop: () => app.close() };
};

exampleRoundTrip('fastify', start);
