/**
 * Vitest globalSetup of the browser tests: they drive the built UI (out/renderer), so a
 * fresh clone's `npm test` builds it here instead of failing. Cheap when up to date (one
 * mtime walk), which is always the case in CI: `.ci/run` builds before `npm test`.
 * The staleness rule is shared with `npm run serve` (scripts/ui-build.mjs).
 */
import { buildUi, staleBecause } from '../../scripts/ui-build.mjs';
import { noChromium } from '../e2e/chromium.ts';

export { staleBecause };

/** Builds the UI when out/ is missing or stale, saying so in one line; a failed build throws with its output. */
export function buildUiIfStale(): void {
  const reason = staleBecause();
  if (!reason) return;
  console.log(`building the UI for the browser tests (electron-vite build): ${reason}`);
  buildUi({ quiet: true });
}

export function setup(): void {
  // Without Chromium the browser tests skip themselves (and say why): nothing needs the UI.
  if (!noChromium()) buildUiIfStale();
}
