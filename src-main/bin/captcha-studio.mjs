#!/usr/bin/env node
// Runs the TypeScript CLI in plain Node from its sources (source-mode.mjs), so
// `npx captcha-studio` works straight after `npm ci` with no build step.
import { registerSource } from './source-mode.mjs';

registerSource();
const { main } = await import('../cli.ts');
process.exitCode = await main(process.argv.slice(2));
