/**
 * The package as npm would publish it: `npm pack` (the built dist/lib, fonts, presets),
 * unpacked into a project outside the repository, then used by plain Node and checked
 * by tsc as a TypeScript user's code would be. Its dependencies are linked from this
 * repository's node_modules (no registry here), which is the one shortcut: what the
 * tarball itself holds, and its "exports" map, are what is tested.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/build-lib.mjs';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; dependencies: Record<string, string> };
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe('the packed library', () => {
  let dir = '';
  let project = '';
  let files: string[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'captcha-studio-pack-'));
    // prepack would rebuild dist/lib; the globalSetup has just built it.
    const out = execFileSync(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' });
    const [packed] = JSON.parse(out.slice(out.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    files = packed.files.map((f) => f.path);
    project = join(dir, 'project');
    const modules = join(project, 'node_modules');
    mkdirSync(modules, { recursive: true });
    execFileSync('tar', ['xzf', join(dir, packed.filename), '-C', dir]);
    execFileSync('mv', [join(dir, 'package'), join(modules, pkg.name)]);
    const linked = [...Object.keys(pkg.dependencies), '@types/node', 'undici-types'];
    for (const dep of linked) {
      const target = join(ROOT, 'node_modules', dep);
      mkdirSync(dirname(join(modules, dep)), { recursive: true });
      symlinkSync(target, join(modules, dep), 'dir');
    }
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-app', private: true, type: 'module' }));
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('holds the built entry points, their declarations, the presets and the fonts, and no tests', () => {
    for (const f of ['dist/lib/library/server.js', 'dist/lib/library/server.d.ts', 'dist/lib/library/core.js', 'dist/lib/library/core.d.ts', 'dist/lib/core/presets/seed-002-captcha.json', 'fonts/ComicNeue-Bold.otf', 'fonts/licenses/fonts-comic-neue.txt']) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => f.startsWith('test/') || f.startsWith('examples/express/') || f.startsWith('node_modules/'))).toEqual([]);
  });

  it('issues and verifies, and renders presets, from plain Node with no TypeScript loader', () => {
    writeFileSync(
      join(project, 'use.mjs'),
      `import { createCaptchaService, CaptchaStore } from 'captcha-studio';
import { createCaptchaService as viaServer } from 'captcha-studio/server';
import { renderImage, getPreset, listPresets, parseDesign } from 'captcha-studio/core';
let answer = '';
const store = new CaptchaStore();
const seal = store.issue.bind(store);
store.issue = (a) => { answer = a; return seal(a); };
const captchas = createCaptchaService({ design: 'math-captcha', store, ttl: 60 });
const c = await captchas.issue();
const right = await captchas.verify(c.id, answer);
const replay = await captchas.verify(c.id, answer);
const seeded = renderImage(getPreset('seed-002-captcha'), { seed: 7 });
let refused = '';
try { parseDesign({ width: 0 }); } catch (e) { refused = e.field; }
console.log(JSON.stringify({ same: viaServer === createCaptchaService, mime: c.mime, png: c.image.subarray(1, 4).toString(), right, replay,
  answer: seeded.challenge.answer, presets: listPresets().length, refused }));
`,
    );
    // The package's own loader hooks must not be what makes this work.
    const run = spawnSync(process.execPath, ['use.mjs'], { cwd: project, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    expect(run.stderr).toBe('');
    const got = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(got).toMatchObject({ same: true, mime: 'image/png', png: 'PNG', right: true, replay: false, presets: 12, refused: 'width' });
    expect(got.answer).toMatch(/^[A-Za-z0-9]{5}$/);
  });

  it('is typed: a TypeScript user type-checks against the declarations (and a wrong option is an error)', () => {
    writeFileSync(
      join(project, 'use.ts'),
      `import { createCaptchaService, type IssuedCaptcha } from 'captcha-studio';
import { renderDesign, getPreset, type Rendered } from 'captcha-studio/core';
const captchas = createCaptchaService({ design: 'seed-002-captcha', store: 'memory', ttl: 300 });
export const issued: Promise<IssuedCaptcha> = captchas.issue();
export const valid: Promise<boolean> = captchas.verify('id', 'answer');
const preset = getPreset('placeholder');
export const r: Rendered | undefined = preset && renderDesign(preset, { seed: 1 });
// @ts-expect-error ttl is a number of seconds
createCaptchaService({ ttl: '300' });
`,
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['esnext'], strict: true, noEmit: true, types: ['node'], skipLibCheck: false }, files: ['use.ts'] }),
    );
    const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin/tsc');
    const run = spawnSync(process.execPath, [tsc, '-p', project], { cwd: project, encoding: 'utf8' });
    expect(`${run.stdout}${run.stderr}`).toBe('');
    expect(run.status).toBe(0);
  }, 120_000);
});
