/**
 * What the designer asks of the main process, independent of how it asks: the
 * desktop's IPC handlers and web mode's HTTP routes both call this. No Electron,
 * no HTTP here; every input is validated with the core's schema.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import type { PreviewOutcome } from '../api.ts';
import { canonicalDesign, parseDesign, parseUntrustedDesign, type Design } from '../core/design.ts';
import { fontRegistry, type FontSummary } from '../core/fonts.ts';
import { MAX_SEED } from '../core/random.ts';
import { FontParseError, parseFont } from '../core/sfnt.ts';
import { writeFileAtomic } from '../design-files.ts';
import type { RenderPool } from './pool.ts';
import { PreviewService } from './preview.ts';
import type { RenderOutput } from './protocol.ts';

export const MAX_FONT_BYTES = 32 * 1024 * 1024;
const FONT_NAME = /^[^\\/:*?"<>|\x00-\x1f]{1,100}\.(ttf|otf)$/i;
const THUMB_CACHE = 256;

/** Bad input to a studio action; `field` names what was wrong. */
export class StudioInputError extends Error {
  constructor(
    readonly field: string,
    rule: string,
  ) {
    super(`${field}: ${rule}`);
    this.name = 'StudioInputError';
  }
}

export function checkSeed(seed: unknown, field = 'seed'): number | undefined {
  if (seed === undefined || seed === null) return undefined;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) throw new StudioInputError(field, `must be a whole number from 0 to ${MAX_SEED}`);
  return seed;
}

function summary(file: string): FontSummary {
  const f = fontRegistry().list().find((x) => x.file === file);
  if (!f) throw new Error(`font ${file} was not registered`);
  return f;
}

/**
 * Where an imported font goes: its own name, unless a different font already
 * has it (then "name-2.ttf", ...), so an import never replaces a user's file.
 * The same bytes again reuse the file.
 */
function freeFontPath(dir: string, file: string, bytes: Uint8Array): { path: string; fresh: boolean } {
  const ext = extname(file);
  const stem = file.slice(0, -ext.length);
  for (let i = 1; ; i++) {
    const path = join(dir, i === 1 ? file : `${stem}-${i}${ext}`);
    if (!existsSync(path)) return { path, fresh: true };
    if (Buffer.compare(readFileSync(path), bytes) === 0) return { path, fresh: false };
  }
}

export class StudioService {
  readonly previews: PreviewService;
  private readonly thumbs = new Map<string, string>();
  /** What went wrong loading the user's fonts at start; shown by the UI. */
  readonly problems: string[] = [];

  constructor(
    readonly pool: RenderPool,
    /** Where imported fonts are kept (and loaded from at start); a temporary folder on first import when not given. */
    private userFontsDir?: string,
    /** False when designs come over HTTP (web mode): image layers must be data URLs. */
    private readonly filesAllowed = true,
  ) {
    this.previews = new PreviewService(pool, filesAllowed);
    if (userFontsDir) {
      mkdirSync(userFontsDir, { recursive: true });
      const { loaded, failed } = fontRegistry().addDir(userFontsDir, 'user');
      for (const f of loaded) pool.addFont(f.file);
      for (const f of failed) {
        this.problems.push(`Skipped font ${f.error}`);
        process.emitWarning(`skipped user font ${f.error}`);
      }
    }
  }

  /** Parses a design from outside; DesignError names the field. */
  design(input: unknown): Design {
    return this.filesAllowed ? parseDesign(input) : parseUntrustedDesign(input);
  }

  preview(client: string, input: unknown, seed: unknown): Promise<PreviewOutcome> {
    return this.previews.preview(client, input, seed);
  }

  /** Thumbnail PNG as a data URL; cached per design, since lists ask again and again. */
  async thumbnail(input: unknown, seed?: unknown): Promise<string> {
    const design = this.design(input);
    const s = checkSeed(seed) ?? design.seed ?? 1;
    const key = `${s}:${canonicalDesign(design)}`;
    const hit = this.thumbs.get(key);
    if (hit) return hit;
    const out = await this.pool.render(design, { seed: s, mode: 'thumbnail' });
    const url = `data:image/png;base64,${out.bytes.toString('base64')}`;
    if (this.thumbs.size >= THUMB_CACHE) this.thumbs.delete(this.thumbs.keys().next().value!);
    this.thumbs.set(key, url);
    return url;
  }

  /** One image in the design's own output format. */
  exportImage(input: unknown, seed?: unknown): Promise<RenderOutput> {
    const design = this.design(input);
    return this.pool.render(design, { seed: checkSeed(seed) });
  }

  listFonts(): FontSummary[] {
    return fontRegistry().list();
  }

  /**
   * Checks a font file before anything is written (a hostile file is refused
   * with the reason), keeps a copy in the user fonts folder and makes it
   * available to every render worker.
   */
  importFont(name: string, bytes: Uint8Array): FontSummary {
    const file = basename(String(name));
    if (!FONT_NAME.test(file)) throw new StudioInputError('font', 'must be a .ttf or .otf file');
    if (bytes.byteLength > MAX_FONT_BYTES) throw new StudioInputError('font', `must be at most ${MAX_FONT_BYTES} bytes`);
    try {
      parseFont(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (e) {
      if (e instanceof FontParseError) throw new StudioInputError('font', `${file} is not a usable font: ${e.message}`);
      throw e;
    }
    this.userFontsDir ??= mkdtempSync(join(tmpdir(), 'captcha-studio-fonts-'));
    const { path, fresh } = freeFontPath(this.userFontsDir, file, bytes);
    if (fresh) writeFileAtomic(path, bytes);
    try {
      fontRegistry().addFile(path, 'user');
    } catch (e) {
      // Not left behind to fail again at every start.
      if (fresh) rmSync(path, { force: true });
      throw new StudioInputError('font', (e as Error).message);
    }
    this.pool.addFont(path);
    return summary(path);
  }
}

