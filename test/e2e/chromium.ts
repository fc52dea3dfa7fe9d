/**
 * Where the browser tests find Chromium: CHROMIUM_PATH, else Debian's. Never a downloaded
 * browser. Shared by the browser tests (skip without one) and the UI build (not needed then).
 */
import { existsSync } from 'node:fs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or undefined when Chromium is there. */
export function noChromium(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  return `no Chromium at ${CHROMIUM}: skipping the browser tests (Debian: apt-get install chromium, or set CHROMIUM_PATH)`;
}
