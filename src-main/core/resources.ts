/**
 * Finds a folder shipped beside the code (fonts/, examples/) by walking up from a
 * module: that works from the TypeScript sources (tsx, tests) and from the built
 * bundle in out/main alike.
 *
 * In an installed desktop app (electron-builder, electron-builder.config.ts) the
 * code sits in resources/app.asar, and folders that native code opens by path
 * (fonts: Skia cannot read inside an asar archive) ship next to it as
 * resources/<name>: Electron's process.resourcesPath is looked at first.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Electron's resources folder; undefined in plain Node (and in a development Electron it holds none of ours). */
function resourcesPath(): string | undefined {
  const p = (process as { resourcesPath?: unknown }).resourcesPath;
  return typeof p === 'string' && p !== '' ? p : undefined;
}

/** The first `name` folder above `fromUrl` that contains `marker`, or undefined. */
export function findResourceDir(fromUrl: string, name: string, marker: string): string | undefined {
  const packaged = resourcesPath();
  if (packaged && existsSync(join(packaged, name, marker))) return join(packaged, name);
  // A forked render worker may run without process.resourcesPath: from
  // resources/app.asar/out/main(/chunks) this walk reaches resources/<name> too.
  let dir = dirname(fileURLToPath(fromUrl));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, name);
    if (existsSync(join(candidate, marker))) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}
