/**
 * What the designer asks of the main process, independent of how it asks: the
 * desktop's IPC handlers and web mode's HTTP routes both call this. No Electron,
 * no HTTP here; every input is validated with the core's schema.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { MAX_SAMPLES, type PreviewOutcome, type Sample, type SamplesResult } from '../api.ts';
import { checkBudget, formatUnits, RENDER_BUDGETS, type CostMode } from '../core/cost.ts';
import { canonicalDesign, DesignError, parseDesign, parseUntrustedDesign, type Design } from '../core/design.ts';
import { fontRegistry, type FontSummary } from '../core/fonts.ts';
import { InputError } from '../core/input-error.ts';
import { checkSeed, isSeed, SEED_RULE } from '../core/seed.ts';
import { downscale, fitInside } from '../core/thumbnail.ts';
import { encodePng, PREVIEW_PNG_EFFORT } from '../core/png.ts';
import { LRUCache } from 'lru-cache';
import { FontParseError, parseFont } from '../core/sfnt.ts';
import { writeFileAtomic } from '../files/design-files.ts';
import { makeOwnedTempDir, removeOwnedDir, removeStaleDirs } from '../files/owned-dirs.ts';
import type { RenderPool } from '../render/pool.ts';
import { PreviewService } from './preview.ts';
import type { RenderOutput } from '../render/protocol.ts';
import { humanBytes } from '../core/bytes.ts';

export const MAX_FONT_BYTES = 32 * 1024 * 1024;

/**
 * How much imported fonts may take: each file, how many are kept, and their total
 * size. An import beyond any of them is refused with the limit it hit. Counted from
 * the fonts folder itself, so fonts kept from earlier runs (desktop) count too.
 */
export interface FontQuota {
  maxFileBytes: number;
  maxFiles: number;
  maxTotalBytes: number;
}

export const DEFAULT_FONT_QUOTA: Readonly<FontQuota> = { maxFileBytes: MAX_FONT_BYTES, maxFiles: 64, maxTotalBytes: 256 * 1024 * 1024 };

/** Web mode's temporary fonts folder: "<tmpdir>/captcha-studio-fonts-<pid>-XXXXXX" (see owned-dirs.ts). */
export const TEMP_FONTS_PREFIX = 'captcha-studio-fonts';
const FONT_FILE = /\.(ttf|otf|ttc)$/i;
// Control characters are refused on purpose: they are invalid in file names on some systems.
// eslint-disable-next-line no-control-regex
const FONT_NAME = /^[^\\/:*?"<>|\x00-\x1f]{1,100}\.(ttf|otf)$/i;
/**
 * Thumbnails kept: at most this many, and this many bytes of data URLs. Keyed by a
 * hash of the design, never the design itself: one may carry a 16 MiB data-URL image.
 */
const THUMB_CACHE = 256;
const THUMB_CACHE_BYTES = 16 * 1024 * 1024;

/**
 * The cell a sample is drawn into. 270 wide is the seed 002 login captcha's width, the
 * common captcha size: captchas (nearly all at most that wide) are shown pixel for
 * pixel as a visitor sees them, so their legibility is judged honestly, and two cells
 * sit side by side in the designer's centre column at 1280x800. 152 high is 270 at
 * 16:9, so a 1920x1080 background keeps its shape in the same cell.
 */
export const SAMPLE_BOX = { width: 270, height: 152 } as const;
const SAMPLE_SEEDS_RULE = `must be a list of 1 to ${MAX_SAMPLES} seeds`;


/** The font files in `dir` and their total size. */
function fontsUsage(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const name of readdirSync(dir)) {
    if (!FONT_FILE.test(name)) continue;
    try {
      bytes += statSync(join(dir, name)).size;
      files++;
    } catch {
      // Removed meanwhile: not counted.
    }
  }
  return { files, bytes };
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

/** What a service and its untrusted view share: the fonts folder, start-up problems, thumbnails. */
interface SharedState {
  /** Where imported fonts are kept; a temporary folder made on first import when not given. */
  fontsDir?: string;
  /** The temporary fonts folder made by the service (web mode), removed by dispose() or at exit. */
  tempFontsDir?: string;
  readonly problems: string[];
  readonly thumbs: LRUCache<string, string>;
}

export class StudioService {
  readonly previews: PreviewService;
  readonly fontQuota: FontQuota;
  private readonly shared: SharedState;
  private untrusted?: StudioService;
  /** False for an untrusted view: it owns none of the shared state. */
  private readonly owner: boolean;

  constructor(
    readonly pool: RenderPool,
    /** Where imported fonts are kept (and loaded from at start); a temporary folder on first import when not given. */
    userFontsDir?: string,
    /** False when designs come over HTTP (web mode): image layers must be data URLs. */
    private readonly filesAllowed = true,
    fontQuota: Partial<FontQuota> = {},
    /** Set by untrustedView() only: the trusted service's state. */
    shared?: SharedState,
  ) {
    this.fontQuota = { ...DEFAULT_FONT_QUOTA, ...fontQuota };
    this.previews = new PreviewService(pool, filesAllowed, this.renderBudget(true), this.budgetOwner);
    this.owner = !shared;
    if (shared) {
      this.shared = shared;
      return;
    }
    this.shared = { fontsDir: userFontsDir, problems: [], thumbs: new LRUCache({ max: THUMB_CACHE, maxSize: THUMB_CACHE_BYTES, sizeCalculation: (url) => url.length }) };
    // Temporary fonts folders of runs that were killed (their pid is gone) are removed now.
    if (!userFontsDir) removeStaleDirs(tmpdir(), TEMP_FONTS_PREFIX);
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

  /** What went wrong loading the user's fonts at start; shown by the UI. */
  get problems(): string[] {
    return this.shared.problems;
  }

  /**
   * The same service for callers that must not read files (the desktop's local
   * server, which any local process can reach): it shares the pool, the fonts and
   * the caches, and refuses image layers that name a file, as web mode's does.
   * Disposing it does nothing; the service that made it owns the shared state.
   */
  untrustedView(): StudioService {
    if (!this.filesAllowed) return this;
    return (this.untrusted ??= new StudioService(this.pool, undefined, false, this.fontQuota, this.shared));
  }

  /** Parses a design from outside; DesignError names the field. */
  design(input: unknown): Design {
    return this.filesAllowed ? parseDesign(input) : parseUntrustedDesign(input);
  }

  preview(client: string, input: unknown, seed: unknown): Promise<PreviewOutcome> {
    return this.previews.preview(client, input, seed);
  }

  /**
   * Pixel operations one render may cost (core/cost.ts). Web mode gets the design
   * routes' budget (previews: the preview budget); the desktop its own, which is
   * as large: anything the server would render the desktop renders too.
   */
  renderBudget(preview = false): number {
    if (this.filesAllowed) return RENDER_BUDGETS.desktop;
    return preview ? RENDER_BUDGETS.preview : RENDER_BUDGETS.design;
  }

  private get budgetOwner(): string {
    return this.filesAllowed ? 'the desktop app' : 'this route';
  }

  /**
   * Refuses a design that would cost more than renderBudget() to render, naming
   * its costliest field and how to get under, before anything is queued. Exports
   * and thumbnails call it; a batch calls it once, as each image costs the same.
   */
  checkRenderBudget(design: Design, mode: CostMode = 'encoded'): void {
    checkBudget(design, this.renderBudget(), this.budgetOwner, { mode });
  }

  /** Thumbnail PNG as a data URL; cached per design, since lists ask again and again. */
  async thumbnail(input: unknown, seed?: unknown): Promise<string> {
    const design = this.design(input);
    const s = checkSeed(seed) ?? design.seed ?? 1;
    const key = createHash('sha256').update(`${s}:${canonicalDesign(design)}`).digest('base64');
    // Shared with the untrusted view: safe, as each view parses (and refuses) the design before the lookup.
    const hit = this.shared.thumbs.get(key);
    if (hit) return hit;
    // A thumbnail renders the design at its full size before shrinking it.
    this.checkRenderBudget(design, 'thumbnail');
    const out = await this.pool.render(design, { seed: s, mode: 'thumbnail' });
    const url = `data:image/png;base64,${out.bytes.toString('base64')}`;
    this.shared.thumbs.set(key, url);
    return url;
  }

  /**
   * The design at each seed, scaled down to fit SAMPLE_BOX, with the answer each seed
   * gives (from the same seeded render). The whole set is held to one render budget.
   * Rendered as raw pixels (answers come with them) and shrunk here; at most pool.size - 1
   * at a time, so a worker stays free for the live preview and at most that many
   * full-size images are in memory at once.
   */
  async samples(input: unknown, seeds: unknown): Promise<SamplesResult> {
    const design = this.design(input);
    if (!Array.isArray(seeds) || seeds.length < 1 || seeds.length > MAX_SAMPLES) throw new InputError('seeds', SAMPLE_SEEDS_RULE);
    seeds.forEach((s, i) => {
      if (!isSeed(s)) throw new InputError(`seeds.${i}`, SEED_RULE);
    });
    this.checkSamplesBudget(design, seeds.length);
    const out: Sample[] = new Array(seeds.length);
    let next = 0;
    const runner = async () => {
      for (let i = next++; i < seeds.length; i = next++) out[i] = this.sample(await this.pool.render(design, { seed: seeds[i] as number, mode: 'raw' }));
    };
    await Promise.all(Array.from({ length: Math.min(seeds.length, Math.max(1, this.pool.size - 1)) }, runner));
    return { samples: out };
  }

  private sample(r: RenderOutput): Sample {
    const { width, height } = fitInside(r.width, r.height, SAMPLE_BOX);
    const full = new Uint8ClampedArray(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength);
    const px = width === r.width && height === r.height ? full : downscale(full, r.width, r.height, width, height);
    // Effort 2, not 1: effort 1's native encoder holds its memory until V8 collects
    // (core/png-native.ts), which this long-lived process should not wait on for samples.
    const png = encodePng(px, width, height, { effort: PREVIEW_PNG_EFFORT });
    return { seed: r.seed, answer: r.answer, image: `data:image/png;base64,${png.toString('base64')}`, width, height };
  }

  /** Like checkRenderBudget, for `count` images of the design together. */
  private checkSamplesBudget(design: Design, count: number): void {
    // One image alone over the budget is refused as everywhere else.
    const one = checkBudget(design, this.renderBudget(), this.budgetOwner, { mode: 'thumbnail' });
    const total = one.units * count;
    const budget = this.renderBudget();
    if (total <= budget) return;
    const fits = Math.floor(budget / one.units);
    throw new DesignError([
      {
        field: one.top.field,
        rule: `${count} samples of this design cost about ${formatUnits(total)} pixel operations to render; ${this.budgetOwner} allows ${formatUnits(budget)} for a set (${one.parts[0]?.hint ?? 'a smaller canvas'}, or at most ${fits} samples)`,
      },
    ]);
  }

  /** One image in the design's own output format. */
  exportImage(input: unknown, seed?: unknown): Promise<RenderOutput> {
    const design = this.design(input);
    this.checkRenderBudget(design);
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
    if (!FONT_NAME.test(file)) throw new InputError('font', 'must be a .ttf or .otf file');
    const q = this.fontQuota;
    if (bytes.byteLength > q.maxFileBytes) throw new InputError('font', `must be at most ${q.maxFileBytes} bytes (${humanBytes(q.maxFileBytes)}) per file`);
    try {
      parseFont(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (e) {
      if (e instanceof FontParseError) throw new InputError('font', `${file} is not a usable font: ${e.message}`);
      throw e;
    }
    const shared = this.shared;
    if (!shared.fontsDir) shared.fontsDir = shared.tempFontsDir = makeOwnedTempDir(TEMP_FONTS_PREFIX);
    const { path, fresh } = freeFontPath(shared.fontsDir, file, bytes);
    if (fresh) {
      // Checked and written in one synchronous step, so concurrent imports cannot both squeeze in.
      const used = fontsUsage(shared.fontsDir);
      if (used.files >= q.maxFiles) throw new InputError('font', `at most ${q.maxFiles} imported fonts are kept, and ${used.files} already are`);
      if (used.bytes + bytes.byteLength > q.maxTotalBytes) {
        throw new InputError('font', `imported fonts may take at most ${q.maxTotalBytes} bytes (${humanBytes(q.maxTotalBytes)}) together; ${humanBytes(used.bytes)} are taken and ${file} is ${humanBytes(bytes.byteLength)}`);
      }
      writeFileAtomic(path, bytes);
    }
    try {
      fontRegistry().addFile(path, 'user');
    } catch (e) {
      // Not left behind to fail again at every start.
      if (fresh) rmSync(path, { force: true });
      throw new InputError('font', (e as Error).message);
    }
    this.pool.addFont(path);
    return summary(path);
  }

  /**
   * Removes the temporary fonts folder this service made (web mode), when its
   * server stops. A folder given by the caller (the desktop's) is kept. The
   * process-wide font registry keeps its entries (it has no removal); in
   * `captcha-studio serve` the process ends with the server anyway.
   */
  dispose(): void {
    const shared = this.shared;
    if (!this.owner) return; // a view: the service that made it owns the folder
    if (!shared.tempFontsDir) return;
    removeOwnedDir(shared.tempFontsDir);
    if (shared.fontsDir === shared.tempFontsDir) shared.fontsDir = undefined;
    shared.tempFontsDir = undefined;
  }
}

