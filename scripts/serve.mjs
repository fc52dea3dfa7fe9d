#!/usr/bin/env node
// `npm run serve`: the headless image server on port 7878, with the designer at /studio/.
// The UI is built once if it is missing (after changing it, run `npm run build`).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!existsSync('out/renderer/index.html')) {
  console.log('Building the designer UI (first run only)...');
  const b = spawnSync('npx', ['electron-vite', 'build'], { stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}
const r = spawnSync(process.execPath, ['src-main/bin/captcha-studio.mjs', 'serve', '--port', '7878', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
