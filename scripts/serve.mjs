#!/usr/bin/env node
// `npm run serve`: the headless image server with the designer at /studio/, on the CLI's
// default port 7878 unless the user names one (`npm run serve -- --port N`, or `--port 0`
// for any free port): the arguments go to `captcha-studio serve` untouched.
// The UI is built when it is missing or older than its sources (the same rule as the browser
// tests, scripts/ui-build.mjs), so the designer served is the one in the work tree.
import { spawn } from 'node:child_process';
import { buildUi, staleBecause } from './ui-build.mjs';

const stale = staleBecause();
if (stale) {
  console.log(`Building the designer UI (${stale})...`);
  try {
    buildUi();
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
const child = spawn(process.execPath, ['src-main/bin/captcha-studio.mjs', 'serve', ...process.argv.slice(2)], { stdio: 'inherit' });
// Ctrl-C reaches the whole process group, the server too: forwarding it would be a second
// SIGINT, which the server takes as "stop now". A `kill` of this script alone (SIGTERM) reaches
// only this script, so it is passed on, or the server would outlive it.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
