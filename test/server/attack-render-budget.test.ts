/**
 * Attack 3 of "captchas that hold": one request stalled every render for minutes.
 * `<img src="/captcha.png?width=8192&height=4050">` made the captcha stock render
 * max-size captchas (refused now: see attack-issuing.test.ts); a 2 KB POST
 * /api/render with 32 bubbles layers at their maximum ran over 60 s; no render had a
 * time limit, a client that hung up cancelled nothing, and /healthz stayed green.
 */
import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimateCost, RENDER_BUDGETS } from '../../src-main/core/cost.ts';
import { parseDesign, type Design } from '../../src-main/core/design.ts';
import { getPreset } from '../../src-main/core/presets.ts';
import { createStudioServer, type StudioServer } from '../../src-main/server/server.ts';
import { call, postJson } from '../support/http.ts';
import { decodePng } from '../support/png.ts';

/** The design as a client sends it (schema defaults left out). */
const bubblesInput = (count: number, layers = 1) => ({ width: 8192, height: 4050, background: Array.from({ length: layers }, () => ({ type: 'bubbles', count, minRadius: 4000, maxRadius: 4000 })), output: { compression: 0 } });
const bubbles = (count: number, layers = 1): Design => parseDesign(bubblesInput(count, layers));

/** A design that is allowed but slow: as many big bubbles as fit in a fraction of the design budget. */
function slowButAllowed(fraction: number): Design {
  let n = 1;
  while (n < 2000 && estimateCost(bubbles(n * 2)).units < RENDER_BUDGETS.design * fraction) n *= 2;
  return bubbles(n);
}

/** Polls /healthz until `ok(h)` holds; a deadline, not a sleep. */
async function healthUntil(base: string, ok: (h: Record<string, any>) => boolean, ms = 20_000): Promise<Record<string, any>> {
  const end = Date.now() + ms;
  for (;;) {
    const h = (await call(base, '/healthz')).json();
    if (ok(h)) return h;
    if (Date.now() > end) throw new Error(`healthz never matched: ${JSON.stringify(h)}`);
    await new Promise((r) => setImmediate(r));
  }
}

describe('a render budget, checked before anything is queued', () => {
  let server: StudioServer;
  let base: string;
  beforeAll(async () => {
    server = createStudioServer({ port: 0, pool: { size: 1 } });
    base = (await server.start()).url;
  });
  afterAll(() => server.stop());

  it('the 2 KB design with 32 max-size bubbles layers is refused at once, naming the costliest field and the rule', async () => {
    const body = JSON.stringify(bubblesInput(2000, 32));
    expect(body.length).toBeLessThan(2500); // about 2 KB
    const r = await call(base, '/api/render', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    expect(r.status).toBe(400);
    expect(r.json().field).toMatch(/^background\.\d+\.count$/);
    expect(r.json().error).toMatch(/costs about [\d.]+ [GTk]? ?pixel operations to render; .* allows 5 G \(/);
    // Nothing was queued: the pool is idle.
    expect((await call(base, '/healthz')).json()).toMatchObject({ ok: true, busy: 0, queued: 0 });
  });

  it('query overrides are held to the route\'s budget: design-time routes, and even signed captcha variants', async () => {
    // classic-captcha at 8192x4050: its dot grid alone is tens of G pixel operations.
    const big = await call(base, '/designs/classic-captcha.png?width=8192&height=4050');
    expect([big.status, big.json().field]).toEqual([400, 'background.1.spacing']);
    expect(big.json().error).toMatch(/allows 5 G/);
    const signed = await call(base, server.signPath('/captcha.png?width=4000&height=2000'));
    expect(signed.status).toBe(400);
    expect(signed.json().error).toMatch(/pixel operations to render; .*allows 500 M/);
    expect((await call(base, '/healthz')).json()).toMatchObject({ busy: 0, queued: 0 });
  });

  it('every preset at its own size passes the captcha budget, and at the largest area the design budget', () => {
    for (const name of ['seed-002-captcha', 'classic-captcha', 'handwritten-captcha', 'math-captcha', 'cjk-captcha', 'neon-captcha', 'digits-captcha']) {
      expect(estimateCost(getPreset(name)!).units, name).toBeLessThan(RENDER_BUDGETS.captcha);
    }
    expect(estimateCost(parseDesign({ ...getPreset('seed-000-background')!, width: 7680, height: 4320 })).units).toBeLessThan(RENDER_BUDGETS.design);
  });
});

describe('deadlines, hang-ups and saturation', () => {
  it('a render over its deadline is stopped: 503 naming render, and the next request renders', async () => {
    const server = createStudioServer({ port: 0, pool: { size: 1, deadlineMs: 200 } });
    const base = (await server.start()).url;
    try {
      const r = await postJson(base, '/api/render', slowButAllowed(0.5));
      expect(r.status).toBe(503);
      expect(r.json()).toMatchObject({ field: 'render', error: expect.stringMatching(/^render: took longer than 200 ms and was stopped/) });
      const next = await call(base, '/background.png?width=40&height=30');
      expect(next.status).toBe(200);
      expect(decodePng(next.body).width).toBe(40);
    } finally {
      await server.stop();
    }
  });

  it('a client that hangs up takes its queued work with it; /healthz reports saturation meanwhile', async () => {
    const server = createStudioServer({ port: 0, pool: { size: 1, maxQueue: 8, saturatedAfterMs: 100 } });
    const base = (await server.start()).url;
    const url = new URL(base);
    const slow = JSON.stringify(slowButAllowed(0.5));
    try {
      // One slow render runs; eight wait behind it, then their clients go away.
      const running = postJson(base, '/api/render', JSON.parse(slow));
      await healthUntil(base, (h) => h.busy === 1);
      const agent = new Agent({ keepAlive: false });
      const waiting = Array.from({ length: 8 }, () => {
        const req = request({ host: url.hostname, port: url.port, path: '/api/render', method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(slow) } });
        req.on('error', () => {});
        req.end(slow);
        return req;
      });
      const full = await healthUntil(base, (h) => h.queued === 8 && h.saturated === true);
      expect(full.ok).toBe(false);
      expect((await call(base, '/healthz')).status).toBe(503);
      for (const req of waiting) req.destroy();
      // The queue empties while the first render is still running: the work was dropped, not done.
      const after = await healthUntil(base, (h) => h.queued === 0);
      expect(after.busy).toBe(1);
      expect((await running).status).toBe(200);
      expect((await healthUntil(base, (h) => h.busy === 0)).ok).toBe(true);
    } finally {
      await server.stop();
    }
  });
});
