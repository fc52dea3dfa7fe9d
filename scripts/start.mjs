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

if (!installed()) {
  console.log('Fetching the Electron binary (first start only)...');
  spawnSync(process.execPath, [join(electronDir, 'install.js')], { stdio: 'inherit', timeout: 180_000 });
}
if (!installed()) {
  console.error(`
Electron could not be downloaded on this machine (it comes from outside the npm
registry), so the desktop window cannot open here.

The same designer runs in any browser instead (web mode):
  npm run serve        then open http://127.0.0.1:7878/studio/

and the command line needs no window at all:
  npx captcha-studio render seed-002-captcha --out captcha.png
`);
  process.exit(1);
}
const r = spawnSync('npx', ['electron-vite', 'preview'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
