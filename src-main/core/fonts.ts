/**
 * The font registry: the bundled faces in fonts/, plus font files a user adds.
 * Every face is registered with Skia under its family name, and its cmap is kept
 * so a glyph the chosen font lacks is drawn with a font that has it (never tofu).
 */
import { GlobalFonts } from '@napi-rs/canvas';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { findResourceDir } from './resources.ts';
import { FontParseError, covers, parseFont } from './sfnt.ts';

export interface FontEntry {
  family: string;
  subfamily: string;
  weight: number;
  italic: boolean;
  file: string;
  source: 'bundled' | 'user';
  glyphCount: number;
  ranges: Uint32Array;
}

/** What the UI and HTTP API list: no coverage tables. */
export type FontSummary = Omit<FontEntry, 'ranges'> & { cjk: boolean };

export interface FontLoadFailure {
  file: string;
  error: string;
}

/** Fallback order for characters the chosen font lacks: Latin first, then CJK. */
const FALLBACK_ORDER = ['DejaVu Sans', 'Liberation Sans', 'DejaVu Serif', 'Droid Sans Fallback'];
const FONT_FILE = /\.(ttf|otf|ttc)$/i;

/** Families and code points faceFor remembers before starting over (a design names a few of each). */
const FACE_MEMO_FAMILIES = 64;
const FACE_MEMO_CODE_POINTS = 4096;

export class FontRegistry {
  private readonly entries: FontEntry[] = [];
  private readonly byFamily = new Map<string, FontEntry[]>();
  /**
   * faceFor's answers by the caller's family string and code point (null: no face has it),
   * emptied when a font is added. A captcha asks for each of its characters twice (the
   * font check, then layout); without it each call lower-cased the family into a new
   * string, hashed it and searched the faces' ranges, about 1 % of a captcha request's CPU.
   */
  private readonly faceMemo = new Map<string, Map<number, FontEntry | null>>();

  /** Adds one font file. Throws FontParseError (named by its path) when it cannot be read. */
  addFile(file: string, source: FontEntry['source'] = 'user'): FontEntry {
    const path = resolve(file);
    const existing = this.entries.find((e) => e.file === path);
    if (existing) return existing;
    let info;
    try {
      info = parseFont(readFileSync(path));
    } catch (e) {
      const why = e instanceof FontParseError ? e.rule : (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : String((e as Error).message);
      throw new FontParseError(why, path);
    }
    if (!GlobalFonts.registerFromPath(path, info.family)) throw new FontParseError('the font engine could not load this font', path);
    const entry: FontEntry = { ...info, file: path, source };
    this.entries.push(entry);
    this.faceMemo.clear();
    const key = info.family.toLowerCase();
    this.byFamily.set(key, [...(this.byFamily.get(key) ?? []), entry]);
    return entry;
  }

  /** Loads every font file in a folder; bad files are reported and skipped. */
  addDir(dir: string, source: FontEntry['source'] = 'user'): { loaded: FontEntry[]; failed: FontLoadFailure[] } {
    const loaded: FontEntry[] = [];
    const failed: FontLoadFailure[] = [];
    for (const name of readdirSync(dir).filter((n) => FONT_FILE.test(n)).sort()) {
      try {
        loaded.push(this.addFile(join(dir, name), source));
      } catch (e) {
        failed.push({ file: join(dir, name), error: (e as Error).message });
      }
    }
    return { loaded, failed };
  }

  list(): FontSummary[] {
    return this.entries.map(({ ranges, ...e }) => ({ ...e, cjk: covers(ranges, 0x4e2d) && covers(ranges, 0x5b57) }));
  }

  has(family: string): boolean {
    return this.faceMemo.has(family) || this.byFamily.has(family.toLowerCase());
  }

  /** The face of `family` that has `cp`, else the first face anywhere that has it. */
  faceFor(family: string, cp: number): FontEntry | undefined {
    let byCp = this.faceMemo.get(family);
    if (!byCp) {
      // Only installed families are kept: has() answers from the memo too.
      if (!this.byFamily.has(family.toLowerCase())) return this.findFace(family, cp);
      if (this.faceMemo.size >= FACE_MEMO_FAMILIES) this.faceMemo.clear();
      this.faceMemo.set(family, (byCp = new Map()));
    }
    let face = byCp.get(cp);
    if (face === undefined) {
      face = this.findFace(family, cp) ?? null;
      if (byCp.size < FACE_MEMO_CODE_POINTS) byCp.set(cp, face);
    }
    return face ?? undefined;
  }

  private findFace(family: string, cp: number): FontEntry | undefined {
    const own = this.byFamily.get(family.toLowerCase());
    const hit = own?.find((e) => covers(e.ranges, cp));
    if (hit) return hit;
    for (const f of FALLBACK_ORDER) {
      const e = this.byFamily.get(f.toLowerCase())?.find((x) => covers(x.ranges, cp));
      if (e) return e;
    }
    return this.entries.find((e) => covers(e.ranges, cp));
  }

  /** True when `family` itself (no fallback) has a glyph for every character. */
  coversText(family: string, text: string): boolean {
    const own = this.byFamily.get(family.toLowerCase()) ?? [];
    return [...text].every((ch) => own.some((e) => covers(e.ranges, ch.codePointAt(0)!)));
  }
}

/** CSS font shorthand that selects exactly this face in Skia. */
export function fontShorthand(face: Pick<FontEntry, 'family' | 'weight' | 'italic'>, px: number): string {
  return `${face.italic ? 'italic ' : ''}${face.weight} ${px.toFixed(2)}px "${face.family}"`;
}

let registry: FontRegistry | undefined;

function findBundledDir(): string {
  if (process.env.CAPTCHA_STUDIO_FONTS) return process.env.CAPTCHA_STUDIO_FONTS;
  const found = findResourceDir(import.meta.url, 'fonts', 'DejaVuSans-Bold.ttf');
  if (found) return found;
  throw new Error('bundled fonts folder not found; set CAPTCHA_STUDIO_FONTS to the fonts/ folder');
}

/** The process-wide registry, with the bundled fonts loaded on first use. */
export function fontRegistry(): FontRegistry {
  if (!registry) {
    const r = new FontRegistry();
    const { failed } = r.addDir(findBundledDir(), 'bundled');
    for (const f of failed) process.emitWarning(`skipped bundled font ${basename(f.file)}: ${f.error}`);
    registry = r;
  }
  return registry;
}
