/** The whole check: its report, its options' limits, the preset rating lookup, and cancelling it in this thread and in a worker. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalDesign, parseDesign } from '../../src-main/core/design.ts';
import { InputError } from '../../src-main/core/input-error.ts';
import { ratingFor, runStrength, runStrengthInWorker, strengthWorkerPids, strengthWorkersAlive, CAVEAT } from '../../src-main/strength/check.ts';
import type { PresetRating, StrengthProgress } from '../../src-main/strength/report.ts';
import { until } from '../support/until.ts';
import { preset, SEEDS } from './designs.ts';

const noText = parseDesign({ name: 'plain' });

describe('runStrength', () => {
  it('reports the odds, the attacks, the legibility issues and the caveat, with progress through each stage', async () => {
    const stages: StrengthProgress[] = [];
    const r = await runStrength(preset('seed-002-captcha'), { attacks: ['segmentation'], seeds: SEEDS.slice(0, 6), onProgress: (p) => stages.push(p) });
    expect(r.design).toBe('seed-002-captcha');
    expect(r.guess.space).toBe(36 ** 5);
    expect(r.attacks.map((a) => [a.attack, a.samples])).toEqual([['segmentation', 6]]);
    expect(r.ignoreCase).toBe(true);
    expect(r.caveat).toBe(CAVEAT);
    expect(r.caveat).toMatch(/lower bounds.*more data and a GPU/);
    // Seed 002's view draws its last glyph at x = 240: wide ones leave the canvas for some seeds.
    expect(r.legibility.map((i) => i.field)).toContain('text.position');
    expect(stages.map((s) => s.stage).filter((s, i, all) => all[i - 1] !== s)).toEqual(['guess', 'legibility', 'segmentation', 'done']);
    expect(stages.filter((s) => s.stage === 'segmentation').at(-1)).toEqual({ stage: 'segmentation', done: 6, total: 6 });
  });

  it('refuses bad options naming the option and its limit', async () => {
    const d = preset('digits-captcha');
    const field = (p: Promise<unknown>) => p.then(() => 'resolved', (e: unknown) => (e instanceof InputError ? `${e.field}: ${e.rule}` : String(e)));
    expect(await field(runStrength(d, { samples: 0 }))).toBe('samples: must be a whole number from 1 to 2000');
    expect(await field(runStrength(d, { samples: 2001 }))).toBe('samples: must be a whole number from 1 to 2000');
    expect(await field(runStrength(d, { attacks: ['cnn' as never] }))).toMatch(/^attacks: must list one or more of ocr, segmentation.*"cnn"/);
    expect(await field(runStrength(d, { attacks: [] }))).toMatch(/^attacks:/);
    expect(await field(runStrength(noText))).toMatch(/^design: has no text/);
  });

  it('stops between samples when its signal aborts, with an AbortError', async () => {
    const ac = new AbortController();
    const seen: StrengthProgress[] = [];
    const run = runStrength(preset('classic-captcha'), {
      attacks: ['segmentation'],
      samples: 500,
      signal: ac.signal,
      onProgress: (p) => {
        seen.push(p);
        if (p.stage === 'segmentation' && p.done === 2) ac.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen.at(-1)).toMatchObject({ stage: 'segmentation', done: 2 });
  });
});

describe('ratingFor', () => {
  const version = (d: ReturnType<typeof preset>) => createHash('sha256').update(canonicalDesign(d)).digest('hex').slice(0, 12);
  const rate = { hits: 1, total: 100, rate: 0.01, low: 0.002, high: 0.05 };

  it("finds bench:strength's figures for the preset as measured, and none once the design changed", () => {
    const d = preset('classic-captcha');
    const entry: PresetRating = { preset: 'classic-captcha', version: version(d), measured: '2026-01-01', attacks: { tesseract: rate }, budget: 'test' };
    const table = { presets: [{ ...entry, preset: 'other', version: '000000000000' }, entry] };
    expect(ratingFor(d, table)).toEqual(entry);
    expect(ratingFor(parseDesign({ ...d, text: { ...d.text, size: 31 } }), table)).toBeNull();
  });
});

describe('runStrengthInWorker', () => {
  it('runs the check in a child process of its own, with progress, and the process ends with it', async () => {
    const stages = new Set<string>();
    const pids = new Set<number>();
    const r = await runStrengthInWorker(preset('seed-002-captcha'), {
      attacks: ['segmentation'],
      seeds: SEEDS.slice(0, 5),
      onProgress: (p) => {
        stages.add(p.stage);
        for (const pid of strengthWorkerPids()) pids.add(pid);
      },
    });
    expect(r.attacks[0]).toMatchObject({ attack: 'segmentation', samples: 5 });
    // Equal to a direct run in this thread: the process changes where, not what.
    const here = (await runStrength(preset('seed-002-captcha'), { attacks: ['segmentation'], seeds: SEEDS.slice(0, 5) })).attacks[0];
    expect({ ...r.attacks[0], ms: 0 }).toEqual({ ...here, ms: 0 });
    expect([...stages]).toEqual(['guess', 'legibility', 'segmentation', 'done']);
    // Another OS process: its memory is the system's again once it exits.
    expect(pids.size).toBe(1);
    expect([...pids][0]).not.toBe(process.pid);
    await until('the worker exits', () => strengthWorkersAlive() === 0, 10_000);
    expect(() => process.kill([...pids][0], 0)).toThrow();
  });

  it('reports a check whose process dies (a native crash) as failed, and this process carries on', async () => {
    let killed = false;
    const run = runStrengthInWorker(preset('classic-captcha'), {
      attacks: ['segmentation'],
      samples: 400,
      onProgress: (p) => {
        if (!killed && p.stage === 'segmentation' && p.done >= 1) {
          killed = true;
          for (const pid of strengthWorkerPids()) process.kill(pid, 'SIGSEGV');
        }
      },
    });
    await expect(run).rejects.toThrow(/the strength check's process stopped \(signal SIGSEGV\)/);
    await until('the worker exits', () => strengthWorkersAlive() === 0, 5_000);
  });

  it('passes bad input back as the same InputError', async () => {
    await expect(runStrengthInWorker(noText)).rejects.toMatchObject({ name: 'InputError', field: 'design' });
  });

  it('is cancelled at once by its signal: it rejects with an AbortError, reports nothing more, and its process ends', async () => {
    const ac = new AbortController();
    let after = 0;
    const run = runStrengthInWorker(preset('classic-captcha'), {
      attacks: ['ocr'],
      samples: 400,
      signal: ac.signal,
      onProgress: (p) => {
        if (ac.signal.aborted) after++;
        else if (p.stage === 'ocr' && p.done >= 1) ac.abort();
      },
    });
    const started = Date.now();
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(20_000);
    await until('the worker exits', () => strengthWorkersAlive() === 0, 5_000);
    expect(after).toBe(0);
  });
});
