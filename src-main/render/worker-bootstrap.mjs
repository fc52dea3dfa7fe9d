// Source mode only (tests, CLI via tsx): lets a worker thread or child process load the TypeScript worker.
// The built app bundles the worker as render-worker.js and never loads this file.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
