/**
 * The strength check: the odds of a blind guess, the core's legibility issues, the OCR and
 * segmentation attacks over fresh samples, and bench:strength's measured rating for an
 * unchanged preset. runStrength does it in the calling thread (the CLI);
 * runStrengthInWorker in a child process with progress and cancel (the app and web mode).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Design } from '../core/design.ts';
import { DesignError } from '../core/design-error.ts';
import { fontRegistry, type FontRegistry } from '../core/fonts.ts';
import { InputError } from '../core/input-error.ts';
import { legibilityIssues } from '../core/legibility.ts';
import { loadImages, type ImageSet } from '../core/render.ts';
import { spawnWorker, type WorkerTransport } from '../render/transport.ts';
import { designVersion } from '../server/design-source.ts';
import { guessOdds } from './answer-space.ts';
import { abortError, runAttack, throwIfAborted, type AttackRun } from './attack.ts';
import ratings from './ratings.json';
import type { AttackName, AttackResult, PresetRating, StrengthProgress, StrengthReport } from './report.ts';
import { ATTACKS, DEFAULT_SAMPLES, MAX_SAMPLES, MIN_SAMPLES } from './limits.ts';
import { freshSeeds } from './samples.ts';

export { ATTACKS, DEFAULT_SAMPLES, MAX_SAMPLES, MIN_SAMPLES } from './limits.ts';

export const CAVEAT =
  'These rates are lower bounds: a determined attacker with more data and a GPU does better (see the measured rating, where there is one).';

export interface StrengthOptions {
  /** Captchas each attack reads (1..2000, default 200). */
  samples?: number;
  attacks?: readonly AttackName[];
  /** The server's case rule (default: case is ignored, as `serve` does unless --case-sensitive). */
  ignoreCase?: boolean;
  signal?: AbortSignal;
  onProgress?(p: StrengthProgress): void;
  /** The seeds to read (default: fresh random ones, never the checked ones); their count overrides `samples`. */
  seeds?: readonly number[];
  fonts?: FontRegistry;
  /** The design's image layers, decoded; loaded here (data URLs, or files under assetDir) when not given. */
  images?: ImageSet;
  assetDir?: string;
}

/** bench:strength's figures for `design` when it is a preset measured as it is now (same canonical version), else null. */
export function ratingFor(design: Design, table: { presets: PresetRating[] } = ratings as { presets: PresetRating[] }): PresetRating | null {
  const version = designVersion(design);
  return table.presets.find((r) => r.version === version) ?? null;
}

function checkOptions(design: Design, opts: StrengthOptions): { samples: number; attacks: AttackName[] } {
  if (!design.text) throw new InputError('design', 'has no text to read: a strength check measures captchas');
  const samples = opts.seeds?.length ?? opts.samples ?? DEFAULT_SAMPLES;
  if (!Number.isInteger(samples) || samples < MIN_SAMPLES || samples > MAX_SAMPLES) {
    throw new InputError('samples', `must be a whole number from ${MIN_SAMPLES} to ${MAX_SAMPLES}`);
  }
  const attacks = [...(opts.attacks ?? ATTACKS)];
  const unknown = attacks.find((a) => !ATTACKS.includes(a));
  if (unknown !== undefined || !attacks.length || new Set(attacks).size !== attacks.length) {
    throw new InputError('attacks', `must list one or more of ${ATTACKS.join(', ')}, each once${unknown !== undefined ? ` (got "${unknown}")` : ''}`);
  }
  return { samples, attacks };
}

/** Runs the strength check in this thread. Rejects with an AbortError (between samples) when `signal` aborts. */
export async function runStrength(design: Design, opts: StrengthOptions = {}): Promise<StrengthReport> {
  const started = performance.now();
  const { samples, attacks } = checkOptions(design, opts);
  const ignoreCase = opts.ignoreCase ?? true;
  const { signal, onProgress } = opts;
  const fonts = opts.fonts ?? fontRegistry();
  throwIfAborted(signal);
  onProgress?.({ stage: 'guess', done: 0, total: 1 });
  const guess = guessOdds(design, { ignoreCase });
  const images = opts.images ?? (await loadImages(design, opts.assetDir));
  throwIfAborted(signal);
  onProgress?.({ stage: 'legibility', done: 0, total: 1 });
  const legibility = legibilityIssues(design, { fonts, images });
  const seeds = opts.seeds ? [...opts.seeds] : freshSeeds(samples, design);
  const source = { fonts, images };
  const results: AttackResult[] = [];
  for (const attack of attacks) {
    throwIfAborted(signal);
    const run = await attackRun(attack, design, { ignoreCase, signal, fonts });
    try {
      results.push(await runAttack(design, run, seeds, { ignoreCase, source, signal, onProgress }));
    } finally {
      await run.close?.();
    }
  }
  onProgress?.({ stage: 'done', done: 1, total: 1 });
  return {
    design: design.name,
    guess,
    attacks: results,
    rating: ratingFor(design),
    legibility,
    caveat: CAVEAT,
    ignoreCase,
    ms: Math.round(performance.now() - started),
  };
}

/** An attack ready to read, loaded on demand: tesseract.js stays out of a check that does not run OCR. */
async function attackRun(attack: AttackName, design: Design, opts: { ignoreCase: boolean; signal?: AbortSignal; fonts: FontRegistry }): Promise<AttackRun & { close?(): Promise<void> }> {
  if (attack === 'ocr') {
    const { ocrReader, OCR_SUMMARY } = await import('./ocr.ts');
    const reader = await ocrReader(design, opts);
    return { attack, summary: OCR_SUMMARY, read: reader.read, close: reader.close };
  }
  const { segmentationReader, SEGMENTATION_SUMMARY } = await import('./segmentation.ts');
  return { attack, summary: SEGMENTATION_SUMMARY, read: segmentationReader(design, design.scale, opts.fonts) };
}

// ---- in a child process -------------------------------------------------------------------

/** What runStrengthInWorker sends its worker (structured-clone safe). */
export interface StrengthJob {
  design: Design;
  samples?: number;
  attacks?: AttackName[];
  ignoreCase?: boolean;
  seeds?: number[];
  /** Font files beyond the bundled ones (the user's imported fonts). */
  fontFiles?: string[];
  assetDir?: string;
}

/** What the worker answers. */
export type StrengthWorkerMessage =
  | { type: 'progress'; progress: StrengthProgress }
  | { type: 'done'; report: StrengthReport }
  | { type: 'error'; error: { name: string; message: string; field?: string; rule?: string; issues?: { field: string; rule: string }[] } };

/** Source (.ts, compiled as it loads: bin/source-mode.mjs) in development, tests and the CLI; the built worker beside the app's main bundle otherwise. */
function workerEntry(): URL {
  if (import.meta.url.endsWith('.ts')) return new URL('./worker-bootstrap.mjs', import.meta.url);
  // electron-vite writes entries to out/main; this module may be bundled into out/main/chunks.
  for (const rel of ['./strength-worker.js', '../strength-worker.js']) {
    const url = new URL(rel, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  throw new Error('the strength check worker (strength-worker.js) is not in this build');
}

/** Rebuilds the worker's error here: input errors stay input errors (the CLI and HTTP map them). */
function errorFrom(e: Extract<StrengthWorkerMessage, { type: 'error' }>['error']): Error {
  if (e.issues) return new DesignError(e.issues);
  if (e.name === 'InputError' && e.field !== undefined && e.rule !== undefined) return new InputError(e.field, e.rule);
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}

const liveWorkers = new Set<WorkerTransport<StrengthJob, StrengthWorkerMessage>>();
/** Strength check processes that have not exited yet (tests check that a cancel ends them). */
export function strengthWorkersAlive(): number {
  return liveWorkers.size;
}
/** Their OS process ids. */
export function strengthWorkerPids(): number[] {
  return [...liveWorkers].flatMap((w) => (w.pid === undefined ? [] : [w.pid]));
}

export type WorkerStrengthOptions = Omit<StrengthOptions, 'fonts' | 'images' | 'seeds'> & { seeds?: number[]; fontFiles?: string[] };

/**
 * Runs the strength check in a child process (strength-worker.ts), so the caller's event
 * loop (the app's main process, the server) never waits on it and its memory is the OS's
 * again when it ends. Progress comes as messages; an abort kills the process at once
 * (Tesseract's worker thread goes with it) and rejects with an AbortError.
 */
export function runStrengthInWorker(design: Design, opts: WorkerStrengthOptions = {}): Promise<StrengthReport> {
  const { signal, onProgress } = opts;
  if (signal?.aborted) return Promise.reject(abortError());
  return new Promise<StrengthReport>((resolve, reject) => {
    const job: StrengthJob = {
      design,
      samples: opts.samples,
      attacks: opts.attacks ? [...opts.attacks] : undefined,
      ignoreCase: opts.ignoreCase,
      seeds: opts.seeds,
      fontFiles: opts.fontFiles,
      assetDir: opts.assetDir,
    };
    let worker: WorkerTransport<StrengthJob, StrengthWorkerMessage>;
    try {
      worker = spawnWorker<StrengthJob, StrengthWorkerMessage>('process', workerEntry());
    } catch (e) {
      reject(e as Error);
      return;
    }
    liveWorkers.add(worker);
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      fn();
      void worker.kill();
    };
    const onAbort = () => finish(() => reject(abortError()));
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.onMessage((m) => {
      if (m.type === 'progress') {
        if (!settled) onProgress?.(m.progress);
      } else if (m.type === 'done') finish(() => resolve(m.report));
      else finish(() => reject(errorFrom(m.error)));
    });
    worker.onExit((how) => {
      liveWorkers.delete(worker);
      const why = how.error?.message ?? (how.signal ? `signal ${how.signal}` : `exit code ${how.code}`);
      finish(() => reject(new Error(`the strength check's process stopped (${why})`)));
    });
    if (!worker.post(job)) finish(() => reject(new Error("the strength check's process could not be started")));
  });
}
