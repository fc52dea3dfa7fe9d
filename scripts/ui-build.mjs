// Whether the built designer UI (out/) is older than its sources, and building it: shared by
// `npm run serve` (scripts/serve.mjs) and the browser tests' globalSetup
// (test/support/build-ui.ts), so both rebuild on the same rule. Plain JS: serve.mjs runs
// without a TypeScript loader.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { staleSince } from './stale.mjs';

export const ROOT = join(import.meta.dirname, '..');
const BUILT = join(ROOT, 'out/renderer/index.html');
/** What the renderer and preload bundles are made of (the UI imports only types from the rest of src-main). */
const INPUTS = ['src-renderer', 'src-main/preload', 'src-main/ipc-channels.ts', 'electron.vite.config.ts'];

/** Why the build in out/ is not the current UI, or undefined when it is up to date. */
export function staleBecause() {
  return staleSince(ROOT, BUILT, INPUTS, 'out/renderer/index.html is missing');
}

function electronViteBin() {
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve('electron-vite/package.json');
  const { bin } = JSON.parse(readFileSync(pkgPath, 'utf8'));
  return join(dirname(pkgPath), bin['electron-vite']);
}

/**
 * Runs `electron-vite build`. `quiet`: its output is kept and shown only if it fails (the
 * test run); otherwise it goes to the terminal as it comes (serve). A failed build throws.
 */
export function buildUi({ quiet = false } = {}) {
  const run = spawnSync(process.execPath, [electronViteBin(), 'build'], { cwd: ROOT, encoding: 'utf8', stdio: quiet ? 'pipe' : 'inherit', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) {
    const output = quiet ? `; its output:\n${`${run.stdout ?? ''}${run.stderr ?? ''}`.trimEnd()}` : '';
    throw new Error(`the UI build failed (electron-vite build ${run.error ? run.error.message : `exited with ${run.status ?? run.signal}`})${output}`);
  }
}
