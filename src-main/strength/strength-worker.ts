/** The strength check's worker thread: runs one check (check.ts's StrengthJob) and posts progress, then the report or the error. */
import { parentPort, workerData } from 'node:worker_threads';
import { DesignError } from '../core/design-error.ts';
import { fontRegistry } from '../core/fonts.ts';
import { InputError } from '../core/input-error.ts';
import { runStrength, type StrengthJob, type StrengthWorkerMessage } from './check.ts';

const job = workerData as StrengthJob;
const post = (m: StrengthWorkerMessage) => parentPort!.postMessage(m);

try {
  const fonts = fontRegistry();
  for (const file of job.fontFiles ?? []) fonts.addFile(file);
  const report = await runStrength(job.design, {
    samples: job.samples,
    attacks: job.attacks,
    ignoreCase: job.ignoreCase,
    seeds: job.seeds,
    assetDir: job.assetDir,
    fonts,
    onProgress: (progress) => post({ type: 'progress', progress }),
  });
  post({ type: 'done', report });
} catch (e) {
  const err = e as Error;
  post({
    type: 'error',
    error: {
      name: err.name ?? 'Error',
      message: err.message ?? String(e),
      ...(e instanceof InputError ? { field: e.field, rule: e.rule } : {}),
      ...(e instanceof DesignError ? { issues: e.issues } : {}),
    },
  });
}
