// Module hooks for source mode (source-mode.mjs): the project's .ts files are compiled by
// esbuild, one file at a time, and its .json files imported without `with { type: 'json' }`
// become modules, as tsx would do; dependencies and everything else are left to Node (which
// also resolves the imports: they all name their file).
//
// Why not tsx, which the scripts and tests still use: it fixes esbuild's keepNames on,
// which wraps every closure named by its place (`const f = () => ...`, `{ L: (v) => ... }`)
// in `__name(fn, "f")`, an Object.defineProperty on each new closure. V8 turns each such
// closure into a dictionary object, and on the captcha route (one per drawn layer) that kept
// aborting the optimisation of Node's request handler (parserOnIncoming, "Bailed out due to
// dependency change", about 8 times a second under load), which then ran unoptimised. See
// BENCHMARKS.md, "Captcha route (issue 15)", the fourth pass. Names are not lost: JavaScript names
// such closures itself, and a one-file transform renames nothing.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

const TARGET = `node${process.versions.node}`;
/** The project's own files: under its root (two folders up), outside its node_modules. */
const ROOT = new URL('../../', import.meta.url).href;
const DEPENDENCIES = new URL('node_modules/', ROOT).href;

export async function load(url, context, nextLoad) {
  // By the root, not by "/node_modules/" anywhere in the path: installed as a package, the
  // project itself lives under some node_modules/.
  if (!url.startsWith(ROOT) || url.startsWith(DEPENDENCIES)) return nextLoad(url, context);
  const { pathname } = new URL(url);
  const ts = pathname.endsWith('.ts') && !pathname.endsWith('.d.ts');
  const json = pathname.endsWith('.json') && context.importAttributes?.type !== 'json';
  if (!ts && !json) return nextLoad(url, context);
  const file = fileURLToPath(url);
  const { code } = await transform(await readFile(file, 'utf8'), {
    loader: ts ? 'ts' : 'json',
    format: 'esm',
    target: TARGET,
    sourcefile: file,
    // Stack traces name the .ts lines (source-mode.mjs turns source maps on).
    sourcemap: ts ? 'inline' : false,
    minifyWhitespace: true,
    keepNames: false,
  });
  return { format: 'module', source: code, shortCircuit: true };
}
