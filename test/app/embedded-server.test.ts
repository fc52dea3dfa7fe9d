/** The desktop app's image server takes its answer store from the settings (memory or Redis). */
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedServer } from '../../src-main/app/embedded-server.ts';
import { RenderPool } from '../../src-main/render/pool.ts';

const pool = new RenderPool({ size: 1 });
afterAll(() => pool.close());

async function health(store?: string): Promise<{ status: number; body: { store: string; storeAvailable: boolean } }> {
  const server = new EmbeddedServer(pool, 0, { store });
  const st = await server.start(0);
  try {
    const res = await fetch(`${st.url}/healthz`);
    return { status: res.status, body: (await res.json()) as { store: string; storeAvailable: boolean } };
  } finally {
    await server.stop();
  }
}

describe('desktop image server and its answer store', () => {
  it('keeps used captcha ids in memory by default', async () => {
    expect(await health()).toMatchObject({ status: 200, body: { store: 'memory', storeAvailable: true } });
  });

  it('uses the Redis named in the settings, and fails closed while it cannot be reached', async () => {
    // Port 1 on loopback: nothing listens there, so the store is unavailable and /healthz says so.
    expect(await health('redis://127.0.0.1:1/0')).toMatchObject({ status: 503, body: { store: 'redis', storeAvailable: false } });
  });
});
