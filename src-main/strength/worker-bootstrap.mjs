// Source mode only (tests, CLI and web mode): lets the check's child process load the TypeScript strength worker.
// The built app bundles it as strength-worker.js and never loads this file.
import { registerSource } from '../bin/source-mode.mjs';

registerSource();
await import('./strength-worker.ts');
