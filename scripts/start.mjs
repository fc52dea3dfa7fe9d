#!/usr/bin/env node
// `npm start`: build and launch the desktop app. Electron's binary is fetched on
// first use from outside the npm registry; where that is impossible, say so plainly.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const electronDir = dirname(require.resolve('electron/package.json'));
const pathFile = join(electronDir, 'path.txt');
const installed = () => existsSync(pathFile) && existsSync(join(electronDir, 'dist', readFileSync(pathFile, 'utf8')));

const INSTALL_TIMEOUT_MS = 180_000;

/**
 * Why the install failed, in one line. Electron's install.js prints the whole error stack
 * (undici's internals included), which buries our message; its first line says enough.
 */
function installFailure(r) {
  if (r.error?.code === 'ETIMEDOUT') return `the download did not finish within ${INSTALL_TIMEOUT_MS / 1000} s`;
  if (r.error) return r.error.message;
  const text = `${r.stderr ?? ''}\n${r.stdout ?? ''}`;
  const first = text.split('\n').map((l) => l.trim()).find((l) => l && !l.startsWith('at '));
  return first ?? `Electron's install.js exited with ${r.signal ?? `code ${r.status}`}`;
}

let cause;
if (!installed()) {
  console.log('Fetching the Electron binary (first start only; about 100 MB)...');
  // Captured, not inherited: on failure only its first line is worth showing.
  const r = spawnSync(process.execPath, [join(electronDir, 'install.js')], { encoding: 'utf8', timeout: INSTALL_TIMEOUT_MS });
  if (r.status === 0 && installed()) {
    process.stdout.write(r.stdout ?? '');
    process.stderr.write(r.stderr ?? '');
  } else {
    cause = installFailure(r);
  }
}
if (!installed()) {
  console.error(`
Electron could not be downloaded on this machine (it comes from outside the npm
registry), so the desktop window cannot open here.${cause ? `\n(cause: ${cause})` : ''}

The same designer runs in any browser instead (web mode):
  npm run serve        then open http://127.0.0.1:7878/studio/

and the command line needs no window at all:
  npx captcha-studio render seed-002-captcha --out captcha.png
`);
  process.exit(1);
}
const r = spawnSync('npx', ['electron-vite', 'preview'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
