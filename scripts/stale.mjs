// Whether a build output is older than any of its inputs: the one rule behind `npm run serve`'s
// UI rebuild (ui-build.mjs) and the library build (build-lib.mjs). Plain JS: it runs before
// anything is built.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** A file, or a folder and everything in it (a folder's own mtime moves when a file in it is deleted or renamed). */
function* entries(path) {
  if (!existsSync(path)) return; // an installed copy without sources: the output is all there is
  yield path;
  if (statSync(path).isDirectory()) for (const name of readdirSync(path, { recursive: true, encoding: 'utf8' })) yield join(path, name);
}

/**
 * Why `output` (a file whose mtime is the build's) is not current: `missing` when it is absent,
 * else the first input under `root` changed since; undefined when it is up to date.
 */
export function staleSince(root, output, inputs, missing) {
  if (!existsSync(output)) return missing;
  const builtAt = statSync(output).mtimeMs;
  for (const input of inputs) {
    for (const file of entries(join(root, input))) if (statSync(file).mtimeMs > builtAt) return `${relative(root, file)} changed since the last build`;
  }
  return undefined;
}
