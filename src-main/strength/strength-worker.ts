/**
 * The strength check's child process: runs one check (check.ts's StrengthJob, the first
 * message it is sent) and sends progress, then the report or the error. A process, not a
 * thread: Tesseract's WASM heap and the attacks' native buffers go back to the OS when it
 * ends (a thread's stayed in the app's glibc arenas, about 150 MB after the first check),
 * and a native crash ends the check, not the app.
 */
import { DesignError } from '../core/design-error.ts';
import { fontRegistry } from '../core/fonts.ts';
import { InputError } from '../core/input-error.ts';
import { parentChannel } from '../render/transport.ts';
import { runStrength, type StrengthJob, type StrengthWorkerMessage } from './check.ts';

const post = parentChannel<StrengthWorkerMessage>('strength check worker', 'the strength check (check.ts)');

async function run(job: StrengthJob): Promise<void> {
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
}

process.once('message', (job) => void run(job as StrengthJob));
