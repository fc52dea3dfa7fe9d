/**
 * The import rules in .dependency-cruiser.cjs, tried on a small made-up tree: each file
 * below breaks one rule (or, where noted, is allowed), and the cruise must report exactly
 * those violations. A rule that silently stopped matching (a moved folder, a typo in a
 * pattern) fails here instead of letting the real tree drift.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cruise, type ICruiseResult } from 'dependency-cruiser';

const repo = resolve(import.meta.dirname, '../..');
const config = createRequire(import.meta.url)(join(repo, '.dependency-cruiser.cjs'));

/** path -> source. Every module is imported by some other, so only the orphan is one. */
const tree: Record<string, string> = {
  'src-main/index.ts': `import './app/lifecycle.ts';`,
  'src-main/bin/captcha-studio.mjs': `await import('../cli.ts');`,
  'src-main/cli.ts': `import './server/server.ts'; import './batch/render-batch.ts';`,
  'src-main/api.ts': `import type { Design } from './core/design.ts'; import './ipc-channels.ts'; import './studio/studio-service.ts'; export type Api = { d: Design };`, // allowed: ipc-channels; api-imports-only-core
  'src-main/ipc-channels.ts': `import './core/seed.ts';`, // ipc-channels-imports-nothing
  'src-main/core/seed.ts': `export const MAX_SEED = 1;`,
  'src-main/app/lifecycle.ts': [
    `import 'electron';`, // allowed: glue
    `import '../core/design.ts';`, // allowed: the schema
    `import '../core/render.ts';`, // glue-calls-the-render-service
    `import '../studio/studio-service.ts';`,
  ].join('\n'),
  'src-main/preload/index.ts': `import 'electron'; import type { Api } from '../api.ts'; import '../app/lifecycle.ts';`, // only-index-imports-app
  'src-main/core/design.ts': `import './random.ts';`,
  'src-main/core/random.ts': `import 'node:crypto';`,
  'src-main/core/fonts.ts': `import 'node:fs';`, // allowed: loading fonts
  'src-main/core/render.ts': [
    `import './fonts.ts';`,
    `import 'node:fs';`, // core-fs-only-for-fonts-and-presets
    `import 'node:http';`, // core-no-network-or-ui
    `import '../server/routes.ts';`, // core-imports-only-core
  ].join('\n'),
  'src-main/render/pool.ts': `import '../core/design.ts'; import '../files/owned-dirs.ts'; import 'node:net';`, // render-imports-only-core, render-no-network
  'src-main/render/worker-bootstrap.mjs': `import '../bin/source-mode.mjs'; import '../bin/captcha-studio.mjs';`, // allowed: the source-mode loader; render-imports-only-core
  'src-main/bin/source-mode.mjs': `export {};`,
  'src-main/files/owned-dirs.ts': `import 'node:fs';`,
  'src-main/studio/studio-service.ts': `import '../render/pool.ts'; import '../server/routes.ts';`, // studio-not-server-or-app
  'src-main/batch/render-batch.ts': [
    `import '../render/pool.ts';`,
    `import '../files/design-files.ts';`,
    `import '../studio/studio-service.ts';`, // batch-not-adapters
    `import '../index.ts';`, // nothing-imports-entry-points
  ].join('\n'),
  'src-main/files/design-files.ts': `import '../core/design.ts'; import '../batch/render-batch.ts';`, // files-imports-only-core, no-circular
  'src-main/server/server.ts': [
    `import './routes.ts';`,
    `import 'electron';`, // electron-only-in-glue
    `import 'react';`, // server-not-app-or-ui, main-not-to-dev-deps
    `import './nowhere.ts';`, // not-to-unresolvable
  ].join('\n'),
  'src-main/server/routes.ts': `import './studio-routes.ts';`,
  'src-main/server/studio-routes.ts': `import type { Route } from './routes.ts'; export type R = Route;`, // no-circular, type-only included
  'src-main/server/dead.ts': `export const unused = 1;`, // no-orphans
  'src-renderer/src/main.tsx': [
    `import type { Api } from '../../src-main/api.ts';`, // allowed: the one crossing
    `import type { Design } from '../../src-main/core/design.ts';`, // allowed
    `import { type Api as A2, version } from '../../src-main/api.ts';`, // ui-type-only-from-main
    `import type { Rng } from '../../src-main/core/random.ts';`, // ui-only-schema-and-api
    `import 'node:path';`, // ui-no-node
    `import 'react';`, // allowed: bundled by vite
  ].join('\n'),
};

const expected = [
  'api-imports-only-core src-main/api.ts -> src-main/studio/studio-service.ts',
  'batch-not-adapters src-main/batch/render-batch.ts -> src-main/studio/studio-service.ts',
  'core-fs-only-for-fonts-and-presets src-main/core/render.ts -> fs',
  'core-imports-only-core src-main/core/render.ts -> src-main/server/routes.ts',
  'core-no-network-or-ui src-main/core/render.ts -> http',
  'electron-only-in-glue src-main/server/server.ts -> node_modules/electron/index.js',
  'files-imports-only-core src-main/files/design-files.ts -> src-main/batch/render-batch.ts',
  'glue-calls-the-render-service src-main/app/lifecycle.ts -> src-main/core/render.ts',
  'ipc-channels-imports-nothing src-main/ipc-channels.ts -> src-main/core/seed.ts',
  'main-not-to-dev-deps src-main/server/server.ts -> node_modules/electron/index.js',
  'main-not-to-dev-deps src-main/server/server.ts -> node_modules/react/index.js',
  'no-circular src-main/batch/render-batch.ts -> src-main/files/design-files.ts',
  'no-circular src-main/files/design-files.ts -> src-main/batch/render-batch.ts',
  'no-circular src-main/server/routes.ts -> src-main/server/studio-routes.ts',
  'no-circular src-main/server/studio-routes.ts -> src-main/server/routes.ts',
  'no-orphans src-main/server/dead.ts -> src-main/server/dead.ts',
  'not-to-unresolvable src-main/server/server.ts -> ./nowhere.ts',
  'nothing-imports-entry-points src-main/batch/render-batch.ts -> src-main/index.ts',
  'only-index-imports-app src-main/preload/index.ts -> src-main/app/lifecycle.ts',
  'render-imports-only-core src-main/render/pool.ts -> src-main/files/owned-dirs.ts',
  'render-imports-only-core src-main/render/worker-bootstrap.mjs -> src-main/bin/captcha-studio.mjs',
  'render-no-network src-main/render/pool.ts -> net',
  'server-not-app-or-ui src-main/server/server.ts -> node_modules/react/index.js',
  'studio-not-server-or-app src-main/studio/studio-service.ts -> src-main/server/routes.ts',
  'ui-no-node src-renderer/src/main.tsx -> path',
  'ui-only-schema-and-api src-renderer/src/main.tsx -> src-main/core/random.ts',
  'ui-type-only-from-main src-renderer/src/main.tsx -> src-main/api.ts',
];

let dir: string;
let result: ICruiseResult;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'boundaries-'));
  for (const [path, source] of Object.entries(tree)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), source + '\n');
  }
  // The real packages and manifest, so electron/react resolve and count as devDependencies.
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', devDependencies: { electron: '*', react: '*' } }));
  const { options, ...ruleSet } = config;
  const out = await cruise(['src-main', 'src-renderer'], { ...options, ruleSet, validate: true, baseDir: dir });
  result = out.output as ICruiseResult;
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('.dependency-cruiser.cjs', () => {
  it('reports exactly the planted violations', () => {
    const seen = result.summary.violations.flatMap((v) => {
      // node_modules is a link to the repo's, so packages resolve to a path outside the tree.
      const pairs = (v.cycle?.length ? [v.from, ...v.cycle.map((c) => c.name)] : [v.from, v.to]).map((p) => p.replace(/^.*\/node_modules\//, 'node_modules/'));
      const edges: string[] = [];
      for (let i = 0; i + 1 < pairs.length; i++) edges.push(`${v.rule.name} ${pairs[i]} -> ${pairs[i + 1]}`);
      return edges;
    });
    expect([...new Set(seen)].sort()).toEqual(expected);
  });

  it('every forbidden rule is exercised by the planted tree', () => {
    const names = new Set(expected.map((e) => e.split(' ')[0]));
    for (const rule of config.forbidden as { name: string }[]) {
        expect(names, rule.name).toContain(rule.name);
    }
  });
});
