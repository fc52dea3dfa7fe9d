/**
 * The soak script at CI's short setting: `npm run soak` against a real
 * `captcha-studio serve` process. It fails (exit 1) on any unexpected answer or
 * RSS growth over 20% after warm-up; this checks that verdict and that every
 * scenario really ran. The 10-minute run is recorded in BENCHMARKS.md.
 */
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 15);

describe('npm run soak (short)', () => {
  it(`runs ${SECONDS} s of mixed load with no unexpected answer and bounded memory`, async () => {
    const script = new URL('../../bench/soak.ts', import.meta.url).pathname;
    const tsx = new URL('../../node_modules/.bin/tsx', import.meta.url).pathname;
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(tsx, [script, '--duration', String(SECONDS), '--warmup', '5', '--concurrency', '32', '--json'], { timeout: (SECONDS + 60) * 1000 }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
    );
    const summary = JSON.parse(stdout.trim().split('\n').pop() ?? '{}');
    expect(summary.problems, stderr).toEqual([]);
    expect(code).toBe(0);
    expect(summary.requests).toBeGreaterThan(1000);
    for (const [name, s] of Object.entries(summary.byType) as [string, { runs: number; unexpected: number }][]) {
      expect(s.runs, name).toBeGreaterThan(10);
      expect(s.unexpected, name).toBe(0);
    }
    expect(summary.rss.samples.length).toBeGreaterThan(5);
  }, (SECONDS + 90) * 1000);
});
