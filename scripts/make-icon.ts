// Draws the app icon with the studio's own core: `npx tsx scripts/make-icon.ts` writes
// build/icon.png (512x512, electron-builder's default icon; it derives .icns and .ico from it).
// The output is committed, so packaging needs no render step; rerun after changing the design.
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseDesign } from '../src-main/core/design.ts';
import { renderDesign } from '../src-main/core/render.ts';
import { encodePng } from '../src-main/core/png.ts';

export const ICON_SIZE = 512;

export const iconDesign = parseDesign({
  version: 1,
  name: 'app-icon',
  width: ICON_SIZE,
  height: ICON_SIZE,
  // Transparent corners: the rounded square is the icon's outline on every desktop.
  background: [
    { type: 'rect', x: 16, y: 16, width: 480, height: 480, radius: 104, fill: '#14121f' },
    { type: 'circle', cx: 'w/2', cy: 'h/2', r: 188, outline: '#00e5ff', outlineWidth: 10, opacity: 0.55 },
    { type: 'rect', x: 56, y: 300, width: 400, height: 12, radius: 6, fill: '#ff4ecd', opacity: 0.8 },
  ],
  text: {
    mode: 'fixed',
    value: 'Ab',
    fonts: ['DejaVu Sans'],
    size: 230,
    sizeJitter: 0,
    rotation: 8,
    baselineJitter: 0,
    spacing: 0,
    color: { mode: 'palette', palette: ['#39ff14', '#ffe600'] },
    outline: { color: '#000000', width: 6 },
  },
  // A fixed seed: the committed icon is reproducible byte for byte.
  seed: 13,
});

export function renderIcon(): Buffer {
  const r = renderDesign(iconDesign);
  return encodePng(r.pixels, r.width, r.height, { effort: 9, opaque: r.opaque });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const out = new URL('../build/icon.png', import.meta.url);
  const bytes = renderIcon();
  writeFileSync(out, bytes);
  console.log(`wrote build/icon.png (${ICON_SIZE}x${ICON_SIZE}, ${bytes.length} bytes)`);
}
