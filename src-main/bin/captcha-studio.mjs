#!/usr/bin/env node
// Runs the TypeScript CLI in plain Node through tsx, so `npx captcha-studio` works
// straight after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli.ts');
process.exitCode = await main(process.argv.slice(2));
