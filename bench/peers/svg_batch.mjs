/**
 * svg-captcha making a batch: one SVG file per captcha plus answers.csv, in one
 * Node process (bench:batch's svg-captcha side; SVG needs no rasterising, so this
 * is as cheap as a captcha file gets in Node).
 *
 *   node bench/peers/svg_batch.mjs COUNT OUT_DIR
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const svgCaptcha = createRequire(import.meta.url)('svg-captcha');
const [count, dir] = [Number(process.argv[2]), process.argv[3]];
mkdirSync(dir);
const rows = ['file,answer'];
const width = String(count).length;
for (let i = 0; i < count; i++) {
  const c = svgCaptcha.create();
  const name = `captcha-${String(i + 1).padStart(width, '0')}.svg`;
  writeFileSync(join(dir, name), c.data);
  rows.push(`${name},${c.text}`);
}
writeFileSync(join(dir, 'answers.csv'), rows.join('\n') + '\n');
