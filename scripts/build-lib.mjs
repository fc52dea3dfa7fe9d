#!/usr/bin/env node
// Builds the library's entry points (package.json "exports") into dist/lib with tsc
// (tsconfig.lib.json), and says whether that build is older than its sources: shared by
// `npm run build:lib` and the library tests' globalSetup (test/support/build-lib.ts).
// Plain JS: it must run before anything is built.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { staleSince } from './stale.mjs';
import { pathToFileURL } from 'node:url';

export const ROOT = join(import.meta.dirname, '..');
export const LIB_DIR = join(ROOT, 'dist/lib');
/** Written last: its mtime is the build's. */
const STAMP = join(LIB_DIR, '.built');
/** The library's sources (its closure lies in core/, server/ and library/) and how they are built. */
const INPUTS = ['src-main/core', 'src-main/server', 'src-main/library', 'tsconfig.lib.json', 'tsconfig.base.json', 'scripts/build-lib.mjs'];

/** Why dist/lib is not the current library, or undefined when it is up to date. */
export function staleBecause() {
  return staleSince(ROOT, STAMP, INPUTS, 'dist/lib is missing');
}

/**
 * Node loads JSON modules only with `with { type: 'json' }`; the sources import the
 * presets without it (tsx and Vite do not need it), and tsc keeps an import as written.
 * Adds it where it is missing, so either form of the sources builds.
 */
function addJsonAttributes(dir) {
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (!name.endsWith('.js')) continue;
    const file = join(dir, name);
    const src = readFileSync(file, 'utf8');
    const out = src.replace(/^(import\s+[\w$]+\s+from\s+(['"])\.{1,2}\/[^'"]+\.json\2)\s*;/gm, '$1 with { type: \'json\' };');
    if (out !== src) writeFileSync(file, out);
  }
}

/**
 * tsc into a fresh folder, then one rename over dist/lib: a test reading the library
 * while another run builds it sees the old build or the new one, never half of one.
 * `quiet` keeps tsc's output for the error; a failed build throws.
 */
export function buildLib({ quiet = false } = {}) {
  const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin/tsc');
  const tmp = join(ROOT, `.tmp/lib-build-${process.pid}-${Date.now()}`);
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  const run = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.lib.json', '--outDir', tmp, '--incremental', 'false', '--tsBuildInfoFile', 'null'], { cwd: ROOT, encoding: 'utf8', stdio: quiet ? 'pipe' : 'inherit' });
  if (run.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    const output = quiet ? `; its output:\n${`${run.stdout ?? ''}${run.stderr ?? ''}`.trimEnd()}` : '';
    throw new Error(`the library build failed (tsc -p tsconfig.lib.json ${run.error ? run.error.message : `exited with ${run.status ?? run.signal}`})${output}`);
  }
  addJsonAttributes(tmp);
  writeFileSync(join(tmp, '.built'), `${new Date().toISOString()}\n`);
  mkdirSync(dirname(LIB_DIR), { recursive: true });
  const old = `${tmp}-old`;
  if (existsSync(LIB_DIR)) renameSync(LIB_DIR, old);
  renameSync(tmp, LIB_DIR);
  rmSync(old, { recursive: true, force: true });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  buildLib();
  console.log(`built ${relative(ROOT, LIB_DIR)} (entry points: package.json "exports")`);
}
