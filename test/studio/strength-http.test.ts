/**
 * The strength check's StudioApi rows through web mode's HTTP route (POST
 * /api/studio/:method), with the real attacks in their worker: bad arguments are a 400
 * naming the field and its rule, an unknown check a 404; a check of seed 002 with few
 * samples runs to a report polled through strengthStatus; a check is cancelled; a third
 * check while two run is refused as busy (503, Retry-After).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StrengthStatus } from '../../src-main/api.ts';
import { getPreset } from '../../src-main/core/presets.ts';
import { createStudioServer, type StudioServer } from '../../src-main/server/server.ts';
import { strengthJobs } from '../../src-main/strength/jobs.ts';
import { studioCall } from '../support/http.ts';
import { until } from '../support/until.ts';

let server: StudioServer;
let base: string;

beforeAll(async () => {
  server = createStudioServer({ port: 0, pool: { size: 1 } });
  base = (await server.start()).url;
});
afterAll(async () => {
  strengthJobs().close();
  await server.stop();
});

const seed002 = getPreset('seed-002-captcha')!;

async function status(id: string): Promise<StrengthStatus> {
  const r = await studioCall(base, 'strengthStatus', [id]);
  expect(r.status, r.body.toString().slice(0, 300)).toBe(200);
  return r.json();
}

describe('strength rows over HTTP', () => {
  it('refuses bad arguments with 400 naming the field and its rule', async () => {
    const cases: [string, unknown[], string, RegExp][] = [
      ['startStrengthCheck', [seed002, { samples: 5 }], 'options.samples', /must be a whole number from 20 to 1000/],
      ['startStrengthCheck', [seed002, { samples: 5000 }], 'options.samples', /from 20 to 1000/],
      ['startStrengthCheck', [seed002, { attacks: ['cnn'] }], 'options.attacks.0', /"ocr", "segmentation"/],
      ['startStrengthCheck', [seed002, { attacks: [] }], 'options.attacks', /one or more/],
      ['startStrengthCheck', [seed002, { client: '<script>' }], 'options.client', /client id/],
      ['startStrengthCheck', [seed002, 'fast'], 'options', /\{samples, attacks, client\}/],
      ['startStrengthCheck', [], 'design', /design object/],
      ['startStrengthCheck', [{ ...seed002, width: 0 }], 'width', /./],
      ['startStrengthCheck', [getPreset('seed-000-background'), { samples: 20 }], 'design', /has no text to read/],
      ['strengthStatus', [''], 'id', /strength check id/],
      ['strengthStatus', [42], 'id', /strength check id/],
      ['cancelStrengthCheck', ['a/b'], 'id', /strength check id/],
    ];
    for (const [method, args, field, rule] of cases) {
      const r = await studioCall(base, method, args);
      const what = `${method}(${JSON.stringify(args).slice(0, 80)}): ${r.body.toString().slice(0, 200)}`;
      expect([r.status, r.json().field], what).toEqual([400, field]);
      expect(r.json().error, what).toMatch(new RegExp(`^${field.replace(/\./g, '\\.')}: `));
      expect(r.json().error, what).toMatch(rule);
    }
    expect(strengthJobs().runningCount).toBe(0);
  });

  it('answers 404 for a check it does not hold; cancelling one is no error', async () => {
    const r = await studioCall(base, 'strengthStatus', [randomUUID()]);
    expect([r.status, r.json().field]).toEqual([404, 'id']);
    expect(r.json().error).toMatch(/no such strength check/);
    expect((await studioCall(base, 'cancelStrengthCheck', [randomUUID()])).status).toBe(200);
  });

  it('runs a check of seed 002 with few samples to its report, polled with progress', async () => {
    const start = await studioCall(base, 'startStrengthCheck', [seed002, { samples: 20, attacks: ['segmentation'], client: 'http-test' }]);
    expect(start.status, start.body.toString().slice(0, 300)).toBe(200);
    const { id } = start.json() as { id: string };
    let last: StrengthStatus | undefined;
    await until('the check to finish', async () => (last = await status(id)).state !== 'running', 60_000, 100);
    expect(last!.state, last!.error).toBe('done');
    const report = last!.report!;
    expect(report.ignoreCase).toBe(true); // the server's default case rule
    expect(report.guess.space).toBeGreaterThan(1000);
    expect(report.attacks.map((a) => a.attack)).toEqual(['segmentation']);
    const seg = report.attacks[0];
    expect(seg.samples).toBe(20);
    expect(seg.full.total).toBe(20);
    expect(seg.full.low).toBeLessThanOrEqual(seg.full.rate);
    expect(seg.full.high).toBeGreaterThanOrEqual(seg.full.rate);
    // Seed 002 is flat: the attack that knows the design reads it.
    expect(seg.solved.length).toBeGreaterThan(0);
    for (const s of seg.solved) expect(s.read.toLowerCase()).toBe(s.answer.toLowerCase());
    expect(report.caveat).toMatch(/lower bound/i);
  }, 90_000);

  it('cancels a running check; a third check while two run is refused as busy', async () => {
    const long = (client: string) => studioCall(base, 'startStrengthCheck', [seed002, { samples: 1000, attacks: ['ocr', 'segmentation'], client }]);
    const a = (await long('busy-a')).json().id as string;
    const b = (await long('busy-b')).json().id as string;
    const third = await long('busy-c');
    // Busy answers name no field (server.ts): nothing the caller sent was wrong.
    expect([third.status, third.json().error]).toEqual([503, expect.stringMatching(/strength checks are already running on this machine; retry when one finishes/)]);
    expect(third.headers['retry-after']).toBe('5');
    // The same client starting again replaces its own check instead.
    const a2 = await long('busy-a');
    expect(a2.status).toBe(200);
    expect((await status(a)).state).toBe('cancelled');
    for (const id of [a2.json().id as string, b]) {
      expect((await studioCall(base, 'cancelStrengthCheck', [id])).status).toBe(200);
      expect((await status(id)).state).toBe('cancelled');
    }
    expect(strengthJobs().runningCount).toBe(0);
  }, 30_000);
});
