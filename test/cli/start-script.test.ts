/** `npm start` where Electron's binary cannot be downloaded: our message, not undici's stack. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const electronDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
// With the binary installed, the script would open the desktop window instead.
const installed = existsSync(join(electronDir, 'path.txt'));

describe.skipIf(installed)('npm start without a downloadable Electron', () => {
  it('prints the clear message and one line naming the cause, no stack trace, and exits 1', () => {
    // Nothing listens on port 9 (discard): the download is refused at once. No electron
    // settings from the caller's npm config may point the download elsewhere.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/electron/i.test(k)));
    const r = spawnSync(process.execPath, ['scripts/start.mjs'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...env, ELECTRON_MIRROR: 'http://127.0.0.1:9/', electron_config_cache: mkdtempSync(join(tmpdir(), 'electron-cache-')), ELECTRON_GET_NO_PROGRESS: '1' },
    });
    const output = `${r.stdout}${r.stderr}`;
    expect(r.status, output).toBe(1);
    expect(r.stderr).toContain('Electron could not be downloaded on this machine');
    expect(r.stderr).toContain('npm run serve');
    expect(output).not.toMatch(/^\s*at /m);
    const causes = r.stderr.split('\n').filter((l) => l.startsWith('(cause: '));
    expect(causes).toHaveLength(1);
    expect(causes[0]).toMatch(/fetch failed|ECONNREFUSED/);
  });
});
