/**
 * The designer's strength-check jobs (src-main/strength/jobs.ts) with a fake runner the
 * test steps by hand: start answers an id at once, polls see progress then the report or
 * the error, cancel aborts the runner's signal, one running check per client, a limit per
 * process, finished results kept in a bounded cache; and the start's own checks (a
 * captcha, the render budget, defaults).
 */
import { describe, expect, it } from 'vitest';
import { STRENGTH_ATTACKS, type StrengthReport } from '../../src-main/api.ts';
import { callStudio } from '../../src-main/studio/calls.ts';
import { parseDesign, type Design } from '../../src-main/core/design.ts';
import { InputError } from '../../src-main/core/input-error.ts';
import { getPreset } from '../../src-main/core/presets.ts';
import { DEFAULT_STRENGTH_SAMPLES, startStrengthCheck, StrengthJobs, type StrengthRunOptions, type StrengthRunner } from '../../src-main/strength/jobs.ts';
import { until } from '../support/until.ts';

interface Run {
  design: Design;
  opts: StrengthRunOptions;
  resolve(r: StrengthReport): void;
  reject(e: unknown): void;
  aborted: boolean;
}

/** A runner whose runs the test finishes by hand; an aborted run rejects as the real one does. */
function fakeRunner(): { runner: StrengthRunner; runs: Run[] } {
  const runs: Run[] = [];
  const runner: StrengthRunner = (design, opts) =>
    new Promise<StrengthReport>((resolve, reject) => {
      const run: Run = { design, opts, resolve, reject, aborted: false };
      opts.signal.addEventListener('abort', () => {
        run.aborted = true;
        reject(new DOMException('The strength check was cancelled', 'AbortError'));
      });
      runs.push(run);
    });
  return { runner, runs };
}

function report(name = 'x'): StrengthReport {
  const rate = { hits: 1, total: 20, rate: 0.05, low: 0.01, high: 0.24 };
  return {
    design: name,
    guess: { space: 10_000, best: 1e-4, text: '1 in 10,000 (4 digits)' },
    attacks: [{ attack: 'segmentation', summary: 's', samples: 20, full: rate, perChar: rate, solved: [{ seed: 1, answer: '1234', read: '1234' }], ms: 5 }],
    rating: null,
    legibility: [],
    caveat: 'lower bounds',
    ignoreCase: true,
    ms: 10,
  };
}

const captcha = parseDesign(getPreset('seed-002-captcha')!);
const opts = { samples: 20, attacks: ['segmentation' as const], ignoreCase: true };

/** Lets the runner's settled promise reach the job (a microtask or two). */
const settle = () => new Promise((r) => setImmediate(r));

describe('StrengthJobs', () => {
  it('answers an id at once, then progress, then the report', async () => {
    const { runner, runs } = fakeRunner();
    const jobs = new StrengthJobs(runner);
    const { id } = jobs.start('a', captcha, opts);
    expect(runs).toHaveLength(1);
    expect(runs[0].opts).toMatchObject({ samples: 20, attacks: ['segmentation'], ignoreCase: true });
    expect(jobs.status(id)).toMatchObject({ id, state: 'running', progress: { done: 0, total: 20 } });
    runs[0].opts.onProgress({ stage: 'segmentation', done: 7, total: 20 });
    expect(jobs.status(id)).toMatchObject({ state: 'running', progress: { stage: 'segmentation', done: 7, total: 20 } });
    const r = report();
    runs[0].resolve(r);
    await settle();
    const s = jobs.status(id);
    expect(s).toMatchObject({ state: 'done', progress: { stage: 'done' } });
    expect(s.report).toEqual(r);
    expect(jobs.runningCount).toBe(0);
  });

  it('cancel aborts the run at once; its later progress and rejection change nothing', async () => {
    const { runner, runs } = fakeRunner();
    const jobs = new StrengthJobs(runner);
    const { id } = jobs.start('a', captcha, opts);
    runs[0].opts.onProgress({ stage: 'ocr', done: 3, total: 20 });
    jobs.cancel(id);
    expect(runs[0].aborted).toBe(true);
    expect(jobs.status(id)).toMatchObject({ state: 'cancelled', progress: { done: 3 } });
    runs[0].opts.onProgress({ stage: 'ocr', done: 9, total: 20 });
    await settle();
    const s = jobs.status(id);
    expect(s).toMatchObject({ state: 'cancelled', progress: { done: 3 } });
    expect(s.error).toBeUndefined();
    expect(jobs.runningCount).toBe(0);
    // Cancelling again, or an unknown id, is no error.
    jobs.cancel(id);
    jobs.cancel('no-such-id');
  });

  it('a failed run says why; input errors keep their field', async () => {
    const { runner, runs } = fakeRunner();
    const jobs = new StrengthJobs(runner);
    const a = jobs.start('a', captcha, opts).id;
    const b = jobs.start('b', captcha, opts).id;
    runs[0].reject(new Error('worker exited with code 1'));
    runs[1].reject(new InputError('design', 'has no text to read'));
    await settle();
    expect(jobs.status(a)).toMatchObject({ state: 'failed', error: 'the strength check failed: worker exited with code 1' });
    expect(jobs.status(b)).toMatchObject({ state: 'failed', error: 'design: has no text to read' });
  });

  it('a runner that throws instead of rejecting fails the job, not the start', async () => {
    const jobs = new StrengthJobs(() => {
      throw new Error('boom');
    });
    const { id } = jobs.start('a', captcha, opts);
    await settle();
    expect(jobs.status(id)).toMatchObject({ state: 'failed', error: 'the strength check failed: boom' });
  });

  it('one running check per client: a new start cancels the older one', async () => {
    const { runner, runs } = fakeRunner();
    const jobs = new StrengthJobs(runner);
    const first = jobs.start('page-1', captcha, opts).id;
    const other = jobs.start('page-2', captcha, opts).id;
    const second = jobs.start('page-1', captcha, opts).id;
    expect(second).not.toBe(first);
    expect(runs.map((r) => r.aborted)).toEqual([true, false, false]);
    expect(jobs.status(first).state).toBe('cancelled');
    expect(jobs.status(other).state).toBe('running');
    expect(jobs.status(second).state).toBe('running');
    expect(jobs.runningCount).toBe(2);
    // The older run settling late does not touch the client's newer one.
    runs[0].resolve(report());
    await settle();
    expect(jobs.status(first).state).toBe('cancelled');
    expect(jobs.status(second).state).toBe('running');
  });

  it('at most maxRunning checks at once in the process: the next is refused as busy, and starts once one ends', async () => {
    const { runner, runs } = fakeRunner();
    const jobs = new StrengthJobs(runner, { maxRunning: 2 });
    jobs.start('a', captcha, opts);
    const b = jobs.start('b', captcha, opts).id;
    let refused: unknown;
    try {
      jobs.start('c', captcha, opts);
    } catch (e) {
      refused = e;
    }
    expect(refused).toBeInstanceOf(InputError);
    expect(refused).toMatchObject({ field: 'busy', kind: 'busy', retryAfter: 5 });
    expect((refused as Error).message).toMatch(/2 strength checks are already running/);
    expect(runs).toHaveLength(2);
    // A client at the limit may still replace its own check: the older one is cancelled first.
    jobs.start('a', captcha, opts);
    expect(runs).toHaveLength(3);
    jobs.cancel(b);
    expect(() => jobs.start('c', captcha, opts)).not.toThrow();
    expect(jobs.runningCount).toBe(2);
  });

  it('finished checks are kept in a bounded cache, and expire', async () => {
    const { runner, runs } = fakeRunner();
    const jobs = new StrengthJobs(runner, { maxRunning: 10, maxFinished: 3 });
    const ids = Array.from({ length: 5 }, (_, i) => jobs.start(`c${i}`, captcha, opts).id);
    runs.forEach((r, i) => r.resolve(report(`d${i}`)));
    await settle();
    // The three newest are kept; the two oldest are gone, as a poll says.
    for (const id of ids.slice(2)) expect(jobs.status(id).state).toBe('done');
    for (const id of ids.slice(0, 2)) expect(() => jobs.status(id)).toThrow(/no such strength check/);
    expect(() => jobs.status('nope')).toThrow(InputError);

    const short = new StrengthJobs(runner, { finishedTtlMs: 30 });
    const id = short.start('x', captcha, opts).id;
    runs.at(-1)!.resolve(report());
    await settle();
    expect(short.status(id).state).toBe('done');
    await until('the finished check to expire', () => {
      try {
        short.status(id);
        return false;
      } catch (e) {
        return (e as InputError).kind === 'not-found';
      }
    }, 5000);
  });

  it('close cancels every running check', () => {
    const { runner, runs } = fakeRunner();
    const jobs = new StrengthJobs(runner);
    jobs.start('a', captcha, opts);
    jobs.start('b', captcha, opts);
    jobs.close();
    expect(runs.every((r) => r.aborted)).toBe(true);
    expect(jobs.runningCount).toBe(0);
  });
});

describe('startStrengthCheck (a StudioApi start after the table checked its arguments)', () => {
  const service = { design: (input: unknown) => parseDesign(input), checkRenderBudget: () => {} };

  it('uses the default samples and every attack when the caller names none', () => {
    const { runner, runs } = fakeRunner();
    const jobs = new StrengthJobs(runner);
    startStrengthCheck(jobs, service, 'a', getPreset('seed-002-captcha'), null, false);
    expect(runs[0].opts).toMatchObject({ samples: DEFAULT_STRENGTH_SAMPLES, attacks: [...STRENGTH_ATTACKS], ignoreCase: false });
    expect(runs[0].design.name).toBe(captcha.name);
    jobs.close();
  });

  it('refuses a design without text, a bad design, and one over the render budget, before any run', () => {
    const { runner, runs } = fakeRunner();
    const jobs = new StrengthJobs(runner);
    const background = getPreset('seed-000-background');
    expect(() => startStrengthCheck(jobs, service, 'a', background, { samples: 20 }, true)).toThrow('design: has no text to read: a strength check measures captchas');
    expect(() => startStrengthCheck(jobs, service, 'a', { ...captcha, width: -1 }, { samples: 20 }, true)).toThrow(/^width: /);
    const budget = {
      design: service.design,
      checkRenderBudget: () => {
        throw new InputError('width', 'costs too much');
      },
    };
    expect(() => startStrengthCheck(jobs, budget, 'a', captcha, { samples: 20 }, true)).toThrow('width: costs too much');
    expect(runs).toHaveLength(0);
  });
});

describe('the strength rows of the StudioApi table', () => {
  const { runner, runs } = fakeRunner();
  const jobs = new StrengthJobs(runner);
  const handlers = {
    startStrengthCheck: (design: unknown, options: Parameters<typeof startStrengthCheck>[4]) => startStrengthCheck(jobs, { design: parseDesign, checkRenderBudget: () => {} }, options?.client ?? 'page', design, options, true),
    strengthStatus: (id: string) => jobs.status(id),
    cancelStrengthCheck: (id: string) => jobs.cancel(id),
  };
  const refusal = async (args: unknown[], method = 'startStrengthCheck') => {
    try {
      await callStudio(handlers, method, args);
    } catch (e) {
      return e as InputError;
    }
    throw new Error('was not refused');
  };

  it.each([
    [{ samples: 19 }, 'options.samples', 'must be a whole number from 20 to 1000'],
    [{ samples: 1001 }, 'options.samples', 'must be a whole number from 20 to 1000'],
    [{ samples: 20.5 }, 'options.samples', 'must be a whole number from 20 to 1000'],
    [{ samples: '200' }, 'options.samples', 'must be a whole number from 20 to 1000'],
    [{ attacks: [] }, 'options.attacks', 'must be a list of one or more of "ocr", "segmentation", each once'],
    [{ attacks: ['cnn'] }, 'options.attacks.0', 'must be a list of one or more of "ocr", "segmentation", each once'],
    [{ attacks: ['ocr', 'ocr'] }, 'options.attacks', 'must be a list of one or more of "ocr", "segmentation", each once'],
    [{ client: 'a b' }, 'options.client', 'must be a client id of 1 to 64 letters, digits, - or _'],
    ['fast', 'options', 'must be {samples, attacks, client}'],
  ])('refuses options %j, naming %s', async (options, field, rule) => {
    const e = await refusal([captcha, options]);
    expect(e).toBeInstanceOf(InputError);
    expect({ field: e.field, rule: e.rule }).toEqual({ field, rule });
    expect(runs).toHaveLength(0);
  });

  it('refuses a missing design and bad ids', async () => {
    expect((await refusal([])).field).toBe('design');
    expect((await refusal([''], 'strengthStatus')).field).toBe('id');
    expect((await refusal(['../x'], 'cancelStrengthCheck')).field).toBe('id');
  });

  it('starts, polls and cancels through the table', async () => {
    const { id } = (await callStudio(handlers, 'startStrengthCheck', [captcha, { samples: 20, attacks: ['segmentation'], client: 'tab-1' }])) as { id: string };
    expect(runs.at(-1)!.opts).toMatchObject({ samples: 20, attacks: ['segmentation'] });
    expect(await callStudio(handlers, 'strengthStatus', [id])).toMatchObject({ id, state: 'running' });
    await callStudio(handlers, 'cancelStrengthCheck', [id]);
    expect(await callStudio(handlers, 'strengthStatus', [id])).toMatchObject({ state: 'cancelled' });
  });
});
