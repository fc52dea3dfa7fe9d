// Re-renders every preset's golden image: `npm run golden:update`. Review the diff before committing.
import { writeFileSync } from 'node:fs';
import { renderImage } from '../src-main/core/render.ts';
import { GOLDEN_DIR, GOLDEN_SEED, goldenDesign, goldenNames } from '../test/support/golden.ts';

for (const name of goldenNames()) {
  const img = renderImage(goldenDesign(name), { seed: GOLDEN_SEED });
  writeFileSync(new URL(`${name}.png`, GOLDEN_DIR), img.bytes);
  console.log(`${name}.png  ${img.width}x${img.height}  ${img.bytes.length} bytes`);
}
