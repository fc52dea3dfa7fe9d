/** Running one attack over the samples: render, read, score as the server would, report progress, stop when cancelled. */
import type { Design } from '../core/design.ts';
import type { AttackName, AttackResult, SolvedSample, StrengthProgress } from './report.ts';
import { renderSample, type Sample, type SampleSource } from './samples.ts';
import { Tally } from './scoring.ts';
import type { Read } from './segmentation.ts';

/** The samples an attack read right that a report keeps, for the panel to show. */
export const SOLVED_KEPT = 8;

export function abortError(): DOMException {
  return new DOMException('the strength check was cancelled', 'AbortError');
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError();
}

/** Lets a pending abort (or a worker's message) through between samples. */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface AttackRun {
  attack: AttackName;
  summary: string;
  read(s: Sample): Read | Promise<Read>;
}

export async function runAttack(
  design: Design,
  run: AttackRun,
  seeds: readonly number[],
  opts: { ignoreCase: boolean; source: SampleSource; signal?: AbortSignal; onProgress?(p: StrengthProgress): void },
): Promise<AttackResult> {
  const started = performance.now();
  const tally = new Tally();
  const solved: SolvedSample[] = [];
  const total = seeds.length;
  opts.onProgress?.({ stage: run.attack, done: 0, total });
  for (const [i, seed] of seeds.entries()) {
    await breathe();
    throwIfAborted(opts.signal);
    const sample = renderSample(design, seed, opts.source);
    const r = await run.read(sample);
    throwIfAborted(opts.signal);
    if (tally.add(r.answer, sample.answer, opts.ignoreCase, r.text, sample.text) && solved.length < SOLVED_KEPT) {
      solved.push({ seed, answer: sample.answer, read: r.text });
    }
    opts.onProgress?.({ stage: run.attack, done: i + 1, total });
  }
  return { attack: run.attack, summary: run.summary, samples: tally.samples, ...tally.rates(), solved, ms: Math.round(performance.now() - started) };
}
