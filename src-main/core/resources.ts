/**
 * Finds a folder shipped beside the code (fonts/, examples/) by walking up from a
 * module: that works from the TypeScript sources (tsx, tests) and from the built
 * bundle in out/main alike.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The first `name` folder above `fromUrl` that contains `marker`, or undefined. */
export function findResourceDir(fromUrl: string, name: string, marker: string): string | undefined {
  let dir = dirname(fileURLToPath(fromUrl));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, name);
    if (existsSync(join(candidate, marker))) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}
