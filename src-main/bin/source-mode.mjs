// Source mode: runs the TypeScript sources in plain Node (the CLI, and the worker threads
// and processes it starts), compiled as they load by source-hooks.mjs. The built app never
// loads this file.
import { register } from 'node:module';

let registered = false;

export function registerSource() {
  if (registered) return;
  registered = true;
  process.setSourceMapsEnabled(true);
  register('./source-hooks.mjs', import.meta.url);
}
