// Source mode only (tests, CLI and web mode via tsx): lets the check's child process load the TypeScript strength worker.
// The built app bundles it as strength-worker.js and never loads this file.
import { register } from 'tsx/esm/api';

register();
await import('./strength-worker.ts');
