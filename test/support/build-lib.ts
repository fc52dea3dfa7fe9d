/**
 * Vitest globalSetup of the library tests (project `library`): they use the BUILT entry
 * points in dist/lib, as a library user would, so a fresh clone's `npm test` builds them
 * here (tsc, about 20 s) instead of failing. Nothing to do when dist/lib is up to date.
 */
import { buildLib, staleBecause } from '../../scripts/build-lib.mjs';

export function setup(): void {
  const reason = staleBecause();
  if (!reason) return;
  console.log(`building the library for its tests (npm run build:lib): ${reason}`);
  buildLib({ quiet: true });
}
