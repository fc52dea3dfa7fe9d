// The installer configuration (electron-builder.config.ts) cannot be exercised here: packaging
// downloads Electron. So: what it names must exist, and the packaged layout it produces
// (resources/app.asar beside resources/fonts) must let the core find and load its fonts.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, matchesGlob, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import config from '../../electron-builder.config.ts';
import { FontRegistry } from '../../src-main/core/fonts.ts';
import { getPreset, presetNames } from '../../src-main/core/presets.ts';
import { renderDesign } from '../../src-main/core/render.ts';
import { findResourceDir } from '../../src-main/core/resources.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FONT_MARKER = 'DejaVuSans-Bold.ttf';
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string; dependencies: Record<string, string> };

/** What the app loads from out/ at run time (package.json's main; window.ts and render/transport.ts beside it). */
const ENTRY_POINTS = [pkg.main.replace(/^\.\//, ''), 'out/main/render-worker.js', 'out/preload/index.cjs', 'out/renderer/index.html'];

const list = <T>(v: T | T[] | null | undefined): T[] => (v == null ? [] : Array.isArray(v) ? v : [v]);
const filePatterns = list(config.files).map((p) => {
  if (typeof p !== 'string') throw new Error('files: only plain glob strings are expected here');
  return p;
});
const included = filePatterns.filter((p) => !p.startsWith('!'));
const excluded = filePatterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
/** Whether electron-builder's `files` would put a project path into app.asar. */
const packs = (path: string) => included.some((p) => matchesGlob(path, p)) && !excluded.some((p) => matchesGlob(path, p));

/** Every file under `dir` (relative to ROOT, with forward slashes). */
function walk(dir: string): string[] {
  const abs = join(ROOT, dir);
  if (!existsSync(abs)) return [];
  if (!statSync(abs).isDirectory()) return [dir];
  return readdirSync(abs, { recursive: true, encoding: 'utf8' })
    .filter((n) => statSync(join(abs, n)).isFile())
    .map((n) => `${dir}/${n.split(sep).join('/')}`);
}

/** Project files matching a glob: walks the pattern's literal prefix only. */
function matching(pattern: string): string[] {
  const segments = pattern.split('/');
  const literal = segments.slice(0, segments.findIndex((s) => /[*?[{]/.test(s)));
  const base = literal.length ? literal.join('/') : pattern;
  return walk(base).filter((f) => matchesGlob(f, pattern));
}

type ResourceSet = { from: string; to: string; filter: string[] };
const extraResources: ResourceSet[] = list(config.extraResources).map((r) => {
  if (typeof r === 'string') return { from: r, to: r, filter: ['**/*'] };
  return { from: r.from ?? '', to: r.to ?? r.from ?? '', filter: list(r.filter) };
});

describe('installer configuration', () => {
  it('names the app', () => {
    expect(config.productName).toBe('Captcha Studio');
    expect(config.appId).toMatch(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*){2,}$/);
  });

  it('builds AppImage and deb for Linux, dmg for macOS and nsis for Windows', () => {
    const names = (v: unknown) => list(v as string | string[]).map((t) => (typeof t === 'string' ? t : (t as { target: string }).target));
    expect(names(config.linux?.target).sort()).toEqual(['AppImage', 'deb']);
    expect(names(config.mac?.target)).toEqual(['dmg']);
    expect(names(config.win?.target)).toEqual(['nsis']);
    // A deb without a maintainer is refused by electron-builder (package.json has no author).
    expect(config.linux?.maintainer).toMatch(/<[^@\s]+@[^@\s]+>$/);
    expect(config.linux?.category).toBeTruthy();
    expect(config.directories?.output).toBe('dist/installers');
  });

  it('has a 512x512 icon with transparent corners (the size electron-builder needs for .icns)', () => {
    expect(config.icon).toBeTruthy();
    expect(config.icon!.startsWith(`${config.directories?.buildResources}/`)).toBe(true);
    const png = PNG.sync.read(readFileSync(join(ROOT, config.icon!)));
    expect([png.width, png.height]).toEqual([512, 512]);
    const alpha = (x: number, y: number) => png.data[(y * png.width + x) * 4 + 3];
    expect(alpha(0, 0)).toBe(0);
    expect(alpha(256, 256)).toBe(255);
  });

  it('packs every app entry point from out/ and names only files that exist elsewhere', () => {
    for (const entry of ENTRY_POINTS) expect(packs(entry), entry).toBe(true);
    // out/ is built (git-ignored); every other pattern must match committed files.
    for (const p of included.filter((p) => !p.startsWith('out/'))) expect(matching(p), p).not.toEqual([]);
    expect(packs('test/app/installer-config.test.ts')).toBe(false);
    expect(packs('src-main/core/render.ts')).toBe(false);
  });

  it('ships the production dependencies the built app loads, and not tsx or esbuild', () => {
    // electron-builder adds node_modules itself; `files` can only drop from them.
    const dropped = (path: string) => excluded.some((p) => matchesGlob(path, p));
    for (const dep of Object.keys(pkg.dependencies).filter((d) => d !== 'tsx' && d !== 'esbuild')) expect(dropped(`node_modules/${dep}/package.json`), dep).toBe(false);
    expect(dropped('node_modules/@napi-rs/canvas-linux-x64-gnu/skia.linux-x64-gnu.node')).toBe(false);
    // tsx (scripts) and esbuild (the CLI's source mode) compile the TypeScript sources; the built app never
    // loads them, and esbuild is 23 MB.
    for (const f of ['node_modules/tsx/dist/cli.mjs', 'node_modules/esbuild/bin/esbuild', 'node_modules/@esbuild/linux-x64/bin/esbuild']) expect(dropped(f), f).toBe(true);
  });

  it('ships the fonts outside app.asar, where Skia can open them', () => {
    const fonts = extraResources.find((r) => existsSync(join(ROOT, r.from, FONT_MARKER)));
    expect(fonts, 'an extraResources entry with the fonts folder').toBeDefined();
    expect(fonts!.to).toBe('fonts');
    for (const r of extraResources) expect(existsSync(join(ROOT, r.from)), r.from).toBe(true);
    const shipped = walk(fonts!.from).filter((f) => fonts!.filter.some((g) => matchesGlob(relative(fonts!.from, f), g)));
    expect(shipped).toContain(`${fonts!.from}/${FONT_MARKER}`);
    expect(shipped.some((f) => f.includes('/licenses/'))).toBe(true);
    // A copy inside app.asar would be found first by a worker's walk up and fail to load.
    for (const f of walk('fonts')) expect(packs(f), f).toBe(false);
  });

  it('unpacks the native canvas binary from app.asar and does not rebuild it', () => {
    const binaries = walk('node_modules/@napi-rs').filter((f) => f.endsWith('.node'));
    expect(binaries).not.toEqual([]);
    for (const b of binaries) expect(list(config.asarUnpack).some((p) => matchesGlob(b, p)), b).toBe(true);
    expect(config.npmRebuild).toBe(false);
  });
});

describe('the packaged layout', () => {
  let resources: string;
  const asarMain = () => join(resources, 'app.asar', 'out', 'main');
  const setResourcesPath = (value: string | undefined) => {
    if (value === undefined) delete (process as { resourcesPath?: string }).resourcesPath;
    else Object.defineProperty(process, 'resourcesPath', { value, configurable: true, writable: true });
  };

  // resources/ as an installed app has it: app.asar (a plain folder here) holding what `files`
  // packs, and each extraResources set copied beside it.
  beforeEach(() => {
    resources = join(mkdtempSync(join(tmpdir(), 'cs-installed-')), 'resources');
    mkdirSync(join(asarMain(), 'chunks'), { recursive: true });
    for (const f of included.filter((p) => !p.startsWith('out/')).flatMap(matching)) {
      if (packs(f)) cpSync(join(ROOT, f), join(resources, 'app.asar', f));
    }
    for (const r of extraResources) cpSync(join(ROOT, r.from), join(resources, r.to), { recursive: true });
  });
  afterEach(() => {
    setResourcesPath(undefined);
    rmSync(join(resources, '..'), { recursive: true, force: true });
  });

  it('finds the fonts in process.resourcesPath before the walk up from the code', () => {
    setResourcesPath(resources);
    // From the repository's own module the walk would find the repository's fonts/.
    const moduleUrl = new URL('../../src-main/core/fonts.ts', import.meta.url).href;
    expect(findResourceDir(moduleUrl, 'fonts', FONT_MARKER)).toBe(join(resources, 'fonts'));
  });

  it('finds them from a forked worker too, which may lack process.resourcesPath', () => {
    setResourcesPath(undefined);
    for (const module of [join(asarMain(), 'chunks', 'thumbnail-abc123.js'), join(asarMain(), 'render-worker.js'), join(asarMain(), 'index.js')])
      expect(findResourceDir(pathToFileURL(module).href, 'fonts', FONT_MARKER), module).toBe(join(resources, 'fonts'));
  });

  it('finds every extraResources folder beside app.asar', () => {
    setResourcesPath(resources);
    for (const r of extraResources) {
      const marker = readdirSync(join(ROOT, r.from)).find((n) => statSync(join(ROOT, r.from, n)).isFile())!;
      expect(findResourceDir(pathToFileURL(join(asarMain(), 'index.js')).href, r.to, marker), r.to).toBe(join(resources, r.to));
    }
  });

  it('finds the examples page inside app.asar', () => {
    setResourcesPath(resources);
    expect(findResourceDir(pathToFileURL(join(asarMain(), 'index.js')).href, 'examples', 'seed-000.html')).toBe(join(resources, 'app.asar', 'examples'));
  });

  it('falls back to the walk up in a development Electron, whose resources hold none of ours', () => {
    setResourcesPath(mkdtempSync(join(tmpdir(), 'cs-electron-dev-')));
    const moduleUrl = new URL('../../src-main/core/fonts.ts', import.meta.url).href;
    expect(findResourceDir(moduleUrl, 'fonts', FONT_MARKER)).toBe(join(ROOT, 'fonts'));
    rmSync((process as { resourcesPath?: string }).resourcesPath!, { recursive: true, force: true });
  });

  it('loads every shipped font from there and renders each preset with them', () => {
    setResourcesPath(resources);
    const dir = findResourceDir(new URL('../../src-main/core/fonts.ts', import.meta.url).href, 'fonts', FONT_MARKER)!;
    const fonts = new FontRegistry();
    const { loaded, failed } = fonts.addDir(dir, 'bundled');
    expect(failed).toEqual([]);
    expect(loaded.length).toBe(readdirSync(join(ROOT, 'fonts')).filter((n) => /\.(ttf|otf|ttc)$/i.test(n)).length);
    for (const f of loaded) expect(f.file.startsWith(join(resources, 'fonts'))).toBe(true);
    for (const name of presetNames()) {
      const design = getPreset(name)!;
      for (const family of design.text?.fonts ?? []) expect(fonts.has(family), `${name}: ${family}`).toBe(true);
      if (design.text) expect(renderDesign(design, { seed: 7, fonts }).challenge?.answer, name).toBeTruthy();
    }
  });
});
