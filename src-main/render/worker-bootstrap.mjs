// Source mode only (tests, CLI): lets a worker thread or child process load the TypeScript worker.
// The built app bundles the worker as render-worker.js and never loads this file.
import { registerSource } from '../bin/source-mode.mjs';

registerSource();
await import('./worker.ts');
