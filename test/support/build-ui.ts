/**
 * Vitest globalSetup of the browser tests: they drive the built UI (out/renderer), so a
 * fresh clone's `npm test` builds it here instead of failing. Cheap when up to date (one
 * mtime walk), which is always the case in CI: `.ci/run` builds before `npm test`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { noChromium } from '../e2e/chromium.ts';

const ROOT = join(import.meta.dirname, '../..');
const BUILT = join(ROOT, 'out/renderer/index.html');
/** What the renderer and preload bundles are made of (the UI imports only types from the rest of src-main). */
const INPUTS = ['src-renderer', 'src-main/preload', 'src-main/ipc-channels.ts', 'electron.vite.config.ts'];

/** A file, or a folder and everything in it (a folder's own mtime moves when a file in it is deleted or renamed). */
function* entries(path: string): Generator<string> {
  yield path;
  if (statSync(path).isDirectory()) for (const name of readdirSync(path, { recursive: true, encoding: 'utf8' })) yield join(path, name);
}

/** Why the build in out/ cannot serve the browser tests, or undefined when it is up to date. */
export function staleBecause(): string | undefined {
  if (!existsSync(BUILT)) return 'out/renderer/index.html is missing';
  const builtAt = statSync(BUILT).mtimeMs;
  for (const input of INPUTS) {
    for (const file of entries(join(ROOT, input))) if (statSync(file).mtimeMs > builtAt) return `${relative(ROOT, file)} changed since the last build`;
  }
  return undefined;
}

function electronViteBin(): string {
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve('electron-vite/package.json');
  const { bin } = JSON.parse(readFileSync(pkgPath, 'utf8')) as { bin: Record<string, string> };
  return join(dirname(pkgPath), bin['electron-vite']);
}

/** Builds the UI when out/ is missing or stale, saying so in one line; a failed build throws with its output. */
export function buildUiIfStale(): void {
  const reason = staleBecause();
  if (!reason) return;
  console.log(`building the UI for the browser tests (electron-vite build): ${reason}`);
  const run = spawnSync(process.execPath, [electronViteBin(), 'build'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) {
    const output = `${run.stdout ?? ''}${run.stderr ?? ''}`.trimEnd();
    throw new Error(`the UI build failed (electron-vite build ${run.error ? run.error.message : `exited with ${run.status ?? run.signal}`}); its output:\n${output}`);
  }
}

export function setup(): void {
  // Without Chromium the browser tests skip themselves (and say why): nothing needs the UI.
  if (!noChromium()) buildUiIfStale();
}
