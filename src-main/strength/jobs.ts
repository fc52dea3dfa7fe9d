/**
 * The designer's strength checks as jobs: a start answers at once with an id, the page
 * polls the job's progress and report, and may cancel it. A check reads hundreds of
 * captchas (OCR is seconds of CPU each hundred), so the jobs are rationed: one running
 * check per client (a new start cancels that client's older one, which the page no
 * longer shows), at most `maxRunning` in the process (a 2-core machine serves the
 * designer's previews too), and finished results are kept briefly in a bounded cache
 * for the page's last poll. The runner is injected, so tests drive the rules with a
 * fake one; the process-wide jobs run the real check in a child process.
 */
import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { STRENGTH_ATTACKS, type ArgsOut, type StrengthStatus } from '../api.ts';
import type { Design } from '../core/design.ts';
import { InputError } from '../core/input-error.ts';
import type { AttackName, StrengthProgress, StrengthReport } from './report.ts';

export interface StrengthRunOptions {
  samples: number;
  attacks: AttackName[];
  ignoreCase: boolean;
  signal: AbortSignal;
  onProgress(p: StrengthProgress): void;
}

/** Runs one check; rejects (any error) when `signal` aborts. */
export type StrengthRunner = (design: Design, opts: StrengthRunOptions) => Promise<StrengthReport>;

/**
 * What a poll answers: api.ts's StrengthStatus, whose report mirrors report.ts's (the UI may
 * import only api.ts). The runner's report is stored as it, so the two cannot drift apart.
 */
export type StrengthJobStatus = StrengthStatus;
type StrengthJobState = StrengthStatus['state'];

export interface StrengthJobLimits {
  /** Checks running at once in the process. */
  maxRunning: number;
  /** Finished jobs kept for polling, and for how long. */
  maxFinished: number;
  finishedTtlMs: number;
}

export const DEFAULT_STRENGTH_LIMITS: Readonly<StrengthJobLimits> = { maxRunning: 2, maxFinished: 64, finishedTtlMs: 10 * 60_000 };

export const STRENGTH_NOT_KEPT = 'no such strength check (finished ones are kept for 10 minutes)';

interface Job extends StrengthJobStatus {
  client: string;
  controller: AbortController;
}

export class StrengthJobs {
  readonly limits: StrengthJobLimits;
  private readonly running = new Map<string, Job>();
  private readonly finished: LRUCache<string, StrengthJobStatus>;
  /** Each client's running job. */
  private readonly byClient = new Map<string, string>();

  constructor(
    private readonly runner: StrengthRunner,
    limits: Partial<StrengthJobLimits> = {},
  ) {
    this.limits = { ...DEFAULT_STRENGTH_LIMITS, ...limits };
    this.finished = new LRUCache({ max: this.limits.maxFinished, ttl: this.limits.finishedTtlMs });
  }

  /**
   * Starts a check of an already validated design for `client`. The client's running
   * check, if any, is cancelled first, so it never counts against the process limit.
   */
  start(client: string, design: Design, opts: { samples: number; attacks: AttackName[]; ignoreCase: boolean }): { id: string } {
    const older = this.byClient.get(client);
    if (older) this.cancel(older);
    if (this.running.size >= this.limits.maxRunning) {
      throw new InputError('busy', `${this.limits.maxRunning} strength checks are already running on this machine; retry when one finishes`, { kind: 'busy', retryAfter: 5 });
    }
    const id = randomUUID();
    const controller = new AbortController();
    const job: Job = { id, client, controller, state: 'running', progress: { stage: 'guess', done: 0, total: opts.samples } };
    this.running.set(id, job);
    this.byClient.set(client, id);
    let run: Promise<StrengthReport>;
    try {
      run = this.runner(design, {
        ...opts,
        signal: controller.signal,
        onProgress: (p) => {
          if (job.state === 'running') job.progress = { ...p };
        },
      });
    } catch (e) {
      run = Promise.reject(e);
    }
    run.then(
      (report) => {
        if (job.state !== 'running') return;
        this.finish(job, { state: 'done', report, progress: { stage: 'done', done: job.progress.total, total: job.progress.total } });
      },
      (e: unknown) => {
        if (job.state !== 'running') return; // cancelled: its status was kept then
        this.finish(job, { state: 'failed', error: e instanceof InputError ? e.message : `the strength check failed: ${(e as Error)?.message ?? String(e)}` });
      },
    );
    return { id };
  }

  /** A job's progress, and its report or error once it ended; not-found once it expired. */
  status(id: string): StrengthJobStatus {
    const j = this.running.get(id);
    if (j) return view(j);
    const f = this.finished.get(id);
    if (!f) throw new InputError('id', STRENGTH_NOT_KEPT, { kind: 'not-found' });
    return f;
  }

  /** Stops a running check at once (its worker is ended by the runner); a finished or unknown id is left as it is. */
  cancel(id: string): void {
    const j = this.running.get(id);
    if (!j) return;
    this.finish(j, { state: 'cancelled' });
    j.controller.abort();
  }

  /** Cancels every running check (the server or the app is stopping). */
  close(): void {
    for (const id of [...this.running.keys()]) this.cancel(id);
  }

  /** Checks running now (for tests and limits). */
  get runningCount(): number {
    return this.running.size;
  }

  private finish(job: Job, end: Partial<StrengthJobStatus> & { state: StrengthJobState }): void {
    Object.assign(job, end);
    this.running.delete(job.id);
    if (this.byClient.get(job.client) === job.id) this.byClient.delete(job.client);
    this.finished.set(job.id, view(job));
  }
}

function view(j: Job): StrengthJobStatus {
  const out: StrengthJobStatus = { id: j.id, state: j.state, progress: { ...j.progress } };
  if (j.report) out.report = j.report;
  if (j.error) out.error = j.error;
  return out;
}

/** Samples a check reads when the caller does not say: a few hundred keep OCR well under a minute. */
export const DEFAULT_STRENGTH_SAMPLES = 200;

/** What a check needs of the designer's service: its parsing (web mode refuses image files) and its render budget. */
export interface StrengthDesignCheck {
  design(input: unknown): Design;
  checkRenderBudget(design: Design): void;
}

/**
 * A StudioApi start, after api.ts checked the arguments: the design is parsed as the
 * caller's side parses designs and held to one image's render budget (every sample costs
 * the same), and must have text to read.
 */
export function startStrengthCheck(
  jobs: StrengthJobs,
  service: StrengthDesignCheck,
  client: string,
  input: unknown,
  options: ArgsOut<'startStrengthCheck'>[1],
  /** The server's case rule: rates are scored as it scores answers. */
  ignoreCase: boolean,
): { id: string } {
  const design = service.design(input);
  if (!design.text) throw new InputError('design', 'has no text to read: a strength check measures captchas');
  service.checkRenderBudget(design);
  return jobs.start(client, design, { samples: options?.samples ?? DEFAULT_STRENGTH_SAMPLES, attacks: options?.attacks ?? [...STRENGTH_ATTACKS], ignoreCase });
}

let processJobs: StrengthJobs | undefined;

/**
 * The process's checks, shared by the desktop's window and every web-mode page, so the
 * limit on running checks holds for the machine. Each runs in a child process (check.ts),
 * loaded on the first check: tesseract.js and the attacks stay out of a designer that never
 * checks.
 */
export function strengthJobs(): StrengthJobs {
  return (processJobs ??= new StrengthJobs(async (design, opts) => (await import('./check.ts')).runStrengthInWorker(design, opts)));
}
