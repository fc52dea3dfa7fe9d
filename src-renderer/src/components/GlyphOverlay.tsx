/**
 * Outlines over the preview where glyphs leave the canvas. Drawn over the image, not
 * into its pixels (the pixels stay exactly what is served), from the glyph boxes the core
 * reports in design pixels. The status line says the same in words, so this is decoration
 * for assistive technology.
 */
import type { GlyphBox } from '../../../src-main/api.ts';

/** How far (CSS pixels) a flag may reach past the image, into the stage's padding, to show the glyph going off the edge. */
export const FLAG_REACH = 10;

/** Smallest flag side (CSS pixels): a glyph wholly off the canvas still shows a mark at the edge it left by. */
const MIN_FLAG = 4;

/** The span [a, b] held within [-FLAG_REACH, size + FLAG_REACH], at least MIN_FLAG long. */
function within(a: number, b: number, size: number): [number, number] {
  const lo = Math.min(Math.max(-FLAG_REACH, a), size + FLAG_REACH - MIN_FLAG);
  const hi = Math.max(Math.min(size + FLAG_REACH, b), lo + MIN_FLAG);
  return [lo, hi];
}

export function GlyphOverlay({ glyphs, zoom, width, height }: { glyphs: readonly GlyphBox[] | undefined; zoom: number; width: number; height: number }) {
  const out = glyphs?.filter((g) => g.outside) ?? [];
  if (out.length === 0) return null;
  const W = width * zoom;
  const H = height * zoom;
  return (
    <div className="glyph-overlay" aria-hidden="true">
      {out.map((g, i) => {
        const [left, right] = within(g.x * zoom, (g.x + g.w) * zoom, W);
        const [top, bottom] = within(g.y * zoom, (g.y + g.h) * zoom, H);
        return <div key={i} className="glyph-flag" data-testid="glyph-flag" data-char={g.char} title={`"${g.char}" leaves the canvas`} style={{ left, top, width: right - left, height: bottom - top }} />;
      })}
    </div>
  );
}
