/**
 * The one contract between the main process and the UI, declared once: every
 * StudioApi call is a row of `studioMethods` with the zod schema of its arguments
 * and of its result. Everything else is derived from this table:
 * - the `StudioApi` type the UI programs against;
 * - the preload bridge (one `ipcRenderer.invoke` per row) and the IPC registration,
 *   which validates every call's arguments against the row (studio/calls.ts);
 * - web mode's `POST /api/studio/:method` (server/studio-calls.ts) and its client
 *   (src-renderer/src/web-api.ts), for the rows marked `web: 'server'`.
 * Adding a call is a row here plus its handler (the compiler asks for the handler
 * in every adapter that serves it).
 *
 * The renderer and the preload import this file's types only (the preload gets the
 * rows' names from the main process, app/window.ts); at run time it imports only zod
 * and dependency-free core modules.
 */
import { z } from 'zod';
import type { Design, DesignInput, DesignIssue } from './core/design.ts';
import type { FontSummary } from './core/fonts.ts';
import type { PresetSummary } from './core/presets.ts';
import type { GlyphBox } from './core/text.ts';
import { seedSchema } from './core/seed.ts';
import { channelOf, EVENTS } from './ipc-channels.ts';

export type { Design, DesignInput, DesignIssue, FontSummary, PresetSummary };

export const DEFAULT_SERVER_PORT = 7878;
/** Upper bound for one batch export from the designer (the CLI streams to disk and allows more). */
export const MAX_DESIGNER_BATCH = 10_000;
/** A file handed over from the page (drag and drop, a picked font): at most this many bytes. */
export const MAX_PICKED_BYTES = 32 * 1024 * 1024;

// ---- argument schemas ------------------------------------------------------------

/**
 * A design as the UI sends it: any object. The core's schema checks it in the
 * handler (desktop and web mode differ on image files) and names every field.
 */
const designArg = z.custom<DesignInput>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), { error: 'must be a design object' });
const optionalSeed = seedSchema.nullish(); // may be left out, or null
const pickedFile = z.object(
  {
    name: z.string({ error: 'must be a file name' }).min(1, { error: 'must be a file name' }).max(255, { error: 'must be a file name of at most 255 characters' }),
    bytes: z
      .instanceof(Uint8Array, { error: "must be the file's bytes" })
      .refine((b) => b.byteLength <= MAX_PICKED_BYTES, { error: `must be at most ${MAX_PICKED_BYTES} bytes` }),
  },
  { error: 'must be a file {name, bytes}' },
);
const recentPath = z.object({ path: z.string({ error: 'must be a file path' }).max(4096, { error: 'must be a file path' }) });
const BATCH_COUNT_RULE = `must be a whole number from 1 to ${MAX_DESIGNER_BATCH}`;
/** How many images one batch export from the designer may have (web mode's batch route checks it too). */
export const batchCountSchema = z.number({ error: BATCH_COUNT_RULE }).int({ error: BATCH_COUNT_RULE }).min(1, { error: BATCH_COUNT_RULE }).max(MAX_DESIGNER_BATCH, { error: BATCH_COUNT_RULE });
const PORT_RULE = 'must be a whole number from 0 to 65535';

// ---- result schemas (and the types derived from them) ----------------------------

/** Carries a type the core or the UI already defines; nothing to check at run time. */
const typed = <T>() => z.custom<T>(() => true);

const studioInfo = z.object({
  mode: z.enum(['desktop', 'web']),
  version: z.string(),
  /** Problems found at start that the user should see, e.g. font files skipped because they do not parse. */
  problems: z.array(z.string()),
  /** Web mode: the key that buys this page its own request-log stream slots. */
  eventsKey: z.string().optional(),
});
export type StudioInfo = z.infer<typeof studioInfo>;

const openedDesign = z.object({
  design: typed<Design>(),
  /** Where it came from: a file path (desktop) or null (web, presets, autosave). */
  path: z.string().nullable(),
  name: z.string(),
});
export type OpenedDesign = z.infer<typeof openedDesign>;

const savedDesign = z.object({ path: z.string().nullable(), name: z.string() });
export type SavedDesign = z.infer<typeof savedDesign>;

const recentDesign = z.object({
  /** Desktop: the file path. Web: a key into the browser's storage. */
  path: z.string(),
  name: z.string(),
  width: z.number(),
  height: z.number(),
  openedAt: z.number(),
  /** PNG data URL, when one could be made. */
  thumbnail: z.string().optional(),
});
export type RecentDesign = z.infer<typeof recentDesign>;

const exportResult = z.object({
  /** Desktop: the file written. Web: the downloaded file's name. */
  path: z.string(),
  width: z.number(),
  height: z.number(),
  bytes: z.number(),
});
export type ExportResult = z.infer<typeof exportResult>;

const batchResult = z.object({
  /** Desktop: the new subfolder the batch was written to. Web: the downloaded zip's name. */
  path: z.string(),
  count: z.number(),
  cancelled: z.boolean(),
});
export type BatchResult = z.infer<typeof batchResult>;

const serverStatus = z.object({
  running: z.boolean(),
  url: z.string().nullable(),
  port: z.number().nullable(),
  /** The port asked for in settings. */
  preferredPort: z.number(),
  /** Plain words for the user, e.g. "port 7878 was busy, using 51234 instead". */
  message: z.string().nullable(),
  /** False in web mode: the UI is served by this server and cannot stop it. */
  controllable: z.boolean(),
});
export type ServerStatus = z.infer<typeof serverStatus>;

const publishedDesign = z.object({
  /** Name under /designs/ (and ?design= for captcha routes). */
  name: z.string(),
  /** Path of the image on the server, e.g. /designs/my-banner.png?v=0123456789ab or /captcha.png?design=x&sig=…. */
  path: z.string(),
  /** 12 hex digits of the SHA-256 of the canonical design: `?v=` in /designs/ paths, so an edit makes a new URL. */
  version: z.string(),
  /** Where the server keeps it: a built-in preset, a file in its --designs folder, or its memory (until it stops). */
  stored: z.enum(['preset', 'saved', 'memory']),
  /** This call put the design into the server's memory: it did not hold this version under this name before. */
  added: z.boolean(),
  /** The validated design's size, kind and fixed seed: what the snippets are built from (never the inspector's raw input). */
  width: z.number(),
  height: z.number(),
  captcha: z.boolean(),
  seed: z.number().nullable(),
  /** Captchas: the signed path of `POST /api/captcha` for this design (a fresh captcha as JSON); null for backgrounds. */
  issuePath: z.string().nullable(),
});
export type PublishedDesign = z.infer<typeof publishedDesign>;

/** A file the user picked in the page (web mode, drag and drop). */
export type PickedFile = z.infer<typeof pickedFile>;

/** How the preview will be shown: device pixels per design pixel (the view's zoom x devicePixelRatio). */
export interface PreviewView {
  scale: number;
}
const VIEW_SCALE_RULE = 'must be a number greater than 0';
const previewView = z.object({ scale: z.number({ error: VIEW_SCALE_RULE }).refine((n) => Number.isFinite(n) && n > 0, { error: VIEW_SCALE_RULE }) }, { error: 'must be a view {scale}' });

/** One glyph's ink as an axis-aligned box after rotation and lift, in design pixels; `outside`: some of it leaves the canvas. */
export type { GlyphBox };

/** Raw RGBA pixels (not premultiplied): drawn with putImageData, no PNG round trip. */
export interface PreviewPixels {
  ok: true;
  width: number;
  height: number;
  /** RGBA, or with `encoding: 'png'` a PNG of width x height (only where the caller accepted one). */
  pixels: Uint8Array;
  encoding?: 'png';
  seed: number;
  answer: string | null;
  /** The design's size in design pixels (width and height above are the pixels rendered). */
  designWidth: number;
  designHeight: number;
  /** Device pixels per design pixel actually rendered. */
  scale: number;
  /** The design draws something random, so Reroll and Lock seed mean something. */
  random: boolean;
  /** Where each character was drawn, in design pixels; [] without text. */
  glyphs: GlyphBox[];
  /** Legibility warnings, each naming its field, e.g. glyphs that leave the canvas. */
  warnings: DesignIssue[];
}

/** A change the inspector applies to the design (all of a result's as one undo step). `value` absent (undefined): remove the field, e.g. text.position to centre the text. */
const designChange = z.object({ path: z.string(), value: z.unknown().optional() });
const fitTextResult = z.object({ changes: z.array(designChange) });
export type FitTextResult = z.infer<typeof fitTextResult>;
/** Bad design: every issue names its field. `superseded`: a newer preview replaced this one. */
export type PreviewOutcome = PreviewPixels | { ok: false; issues: DesignIssue[] } | { ok: false; superseded: true; issues: [] };

/**
 * Web mode's preview channel: one WebSocket per page at PREVIEW_SOCKET_PATH, carrying
 * what POST /api/studio/preview carries without a fetch per edit (a fetch costs Chromium
 * about 6 ms more than a socket message on a 2-core machine: BENCHMARKS.md, preview).
 * The page sends text frames of PreviewSocketRequest; each is answered once, matched by id:
 * a binary frame [u32 little-endian n][n bytes of PreviewSocketImage JSON][raw RGBA pixels, or a PNG when its `encoding` says so]
 * for a rendered image, or a text frame of PreviewSocketReply for anything else.
 */
export const PREVIEW_SOCKET_PATH = '/api/studio/preview-socket';
/** The page imports types only: it spells the path as this type, so a change here fails its type-check. */
export type PreviewSocketPath = typeof PREVIEW_SOCKET_PATH;
export interface PreviewSocketRequest {
  id: number;
  design: unknown;
  seed: unknown;
  view?: PreviewView | null;
  /**
   * 'png': the page decodes PNGs itself (createImageBitmap), so a large preview may come as
   * one (`encoding: 'png'`): 900 KB of raw pixels cost Chromium more to receive than a PNG
   * costs to make and decode. Small previews stay raw.
   */
  accept?: 'png';
}
export type PreviewSocketImage = { id: number } & Omit<PreviewPixels, 'pixels'>;
export type PreviewSocketReply = { id: number } & (Exclude<PreviewOutcome, PreviewPixels> | { ok: false; error: string; field?: string });

export interface BatchProgress {
  id: string;
  done: number;
  total: number;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  ms: number;
  time: number;
}

export type MenuCommand =
  | 'new'
  | 'open'
  | 'save'
  | 'save-as'
  | 'export-png'
  | 'export-batch'
  | 'undo'
  | 'redo'
  | 'zoom-in'
  | 'zoom-out'
  | 'zoom-actual'
  | { open: string };

// ---- renderSamples (the sample grid) ---------------------------------------------

/** Samples one renderSamples call draws: the grid shows 8 to 16, and each is a full render, so the set is bounded. */
export const MAX_SAMPLES = 16;
const SAMPLE_SEEDS_RULE = `must be a list of 1 to ${MAX_SAMPLES} seeds`;
const sampleSeeds = z.array(seedSchema, { error: SAMPLE_SEEDS_RULE }).min(1, { error: SAMPLE_SEEDS_RULE }).max(MAX_SAMPLES, { error: SAMPLE_SEEDS_RULE });
const sample = z.object({
  seed: z.number(),
  /** The captcha's answer at this seed; null for designs without text to type. */
  answer: z.string().nullable(),
  /** PNG data URL, scaled down to fit a sample cell. */
  image: z.string(),
  width: z.number(),
  height: z.number(),
});
export type Sample = z.infer<typeof sample>;
const samplesResult = z.object({ samples: z.array(sample) });
export type SamplesResult = z.infer<typeof samplesResult>;

// ---- the strength check (issue 14) ----------------------------------------------

/**
 * What a strength check reports: the contract between the attacks (src-main/strength),
 * the CLI (`captcha-studio strength`), this API's rows, the designer's Strength panel, and
 * bench:strength, which writes the measured ratings (strength/ratings.json). Declared here
 * once; strength/report.ts re-exports it for the attacks.
 */
export type AttackName = 'ocr' | 'segmentation';

/** A success rate with its 95% interval (Wilson score), as 0..1 fractions. */
export interface Rate {
  hits: number;
  total: number;
  rate: number;
  low: number;
  high: number;
}

/** One sample an attack read right: enough for the panel to render it again (design + seed) and say what was read. */
export interface SolvedSample {
  seed: number;
  answer: string;
  read: string;
}

export interface AttackResult {
  attack: AttackName;
  /** Plain words: what the attack does. */
  summary: string;
  samples: number;
  /** Whole answers read right, scored as the server scores (its case rule included). */
  full: Rate;
  /** Characters read right at their position. */
  perChar: Rate;
  /** Up to 8 samples it read right. */
  solved: SolvedSample[];
  ms: number;
}

/** The odds of a blind guess: the exact number of answers the design can ask for, under the server's case rule. */
export interface GuessOdds {
  /** Distinct answers (after case folding when the server ignores case). */
  space: number;
  /** The best single guess's chance: the most likely answer's probability (math answers are not uniform). */
  best: number;
  /** Plain words, e.g. "1 in 4,096 (4 digits)". */
  text: string;
}

/** bench:strength's figures for an unchanged preset (src-main/strength/ratings.json). */
export interface PresetRating {
  preset: string;
  /** sha256 (hex, first 12) of the preset's canonical design when measured: a changed preset has no rating. */
  version: string;
  measured: string;
  /** Full-answer rates of each attack bench:strength ran, by name (e.g. "cnn-positions", "crnn-ctc", "tesseract", "segmentation"). */
  attacks: Record<string, Rate>;
  /** Plain words on the budget (samples, epochs, minutes). */
  budget: string;
}

export interface StrengthProgress {
  stage: 'guess' | 'legibility' | AttackName | 'done';
  done: number;
  total: number;
}

export interface StrengthReport {
  design: string;
  guess: GuessOdds;
  attacks: AttackResult[];
  rating: PresetRating | null;
  /** The core's legibility warnings over the checked seeds. */
  legibility: DesignIssue[];
  /** That these figures are lower bounds. */
  caveat: string;
  /** The case rule the rates were scored with. */
  ignoreCase: boolean;
  ms: number;
}

/** A strength check as a poll answers it: its progress, then its report or why it failed. */
export interface StrengthStatus {
  id: string;
  state: 'running' | 'done' | 'cancelled' | 'failed';
  progress: StrengthProgress;
  report?: StrengthReport;
  error?: string;
}

export const STRENGTH_ATTACKS = ['ocr', 'segmentation'] as const satisfies readonly AttackName[];
export const MIN_STRENGTH_SAMPLES = 20;
export const MAX_STRENGTH_SAMPLES = 1000;
const STRENGTH_SAMPLES_RULE = `must be a whole number from ${MIN_STRENGTH_SAMPLES} to ${MAX_STRENGTH_SAMPLES}`;
const STRENGTH_ATTACKS_RULE = `must be a list of one or more of ${STRENGTH_ATTACKS.map((a) => `"${a}"`).join(', ')}, each once`;
const strengthOptions = z.object(
  {
    samples: z.number({ error: STRENGTH_SAMPLES_RULE }).int({ error: STRENGTH_SAMPLES_RULE }).min(MIN_STRENGTH_SAMPLES, { error: STRENGTH_SAMPLES_RULE }).max(MAX_STRENGTH_SAMPLES, { error: STRENGTH_SAMPLES_RULE }).optional(),
    attacks: z
      .array(z.enum(STRENGTH_ATTACKS, { error: STRENGTH_ATTACKS_RULE }), { error: STRENGTH_ATTACKS_RULE })
      .min(1, { error: STRENGTH_ATTACKS_RULE })
      .refine((a) => new Set(a).size === a.length, { error: STRENGTH_ATTACKS_RULE })
      .optional(),
    /** The page's own id: each client runs one check at a time (a new one cancels its older one). */
    client: z.string({ error: 'must be a client id' }).regex(/^[\w-]{1,64}$/, { error: 'must be a client id of 1 to 64 letters, digits, - or _' }).optional(),
  },
  { error: 'must be {samples, attacks, client}' },
);
export type StrengthOptions = z.input<typeof strengthOptions>;
const strengthId = z.string({ error: 'must be a strength check id' }).regex(/^[\w-]{1,64}$/, { error: 'must be a strength check id' });

// ---- the table -------------------------------------------------------------------

/**
 * Where web mode serves a call: `server` through the generic `POST /api/studio/:method`;
 * `client` in the page itself (browser storage, downloads) or over a special route
 * (binary or streamed: preview pixels, font upload, image and zip downloads).
 */
type WebSide = 'server' | 'client';

interface MethodSpec<A extends z.ZodTuple = z.ZodTuple, R extends z.ZodType = z.ZodType, W extends WebSide = WebSide> {
  /** Argument names, in order: an invalid argument's error names it (`seed`, `file.bytes`). */
  names: readonly string[];
  args: A;
  result: R;
  web: W;
  /** The call reports invalid arguments in its result instead of failing (previews show them). */
  invalid?: (issues: DesignIssue[]) => z.output<R>;
  doc: string;
}

function method<A extends z.ZodTuple, R extends z.ZodType, W extends WebSide>(spec: MethodSpec<A, R, W>): MethodSpec<A, R, W> {
  return spec;
}

export const studioMethods = {
  info: method({ doc: 'Which app this is, its version, and problems found at start.', names: [], args: z.tuple([]), result: studioInfo, web: 'server' }),
  listPresets: method({ doc: 'The built-in presets.', names: [], args: z.tuple([]), result: z.array(typed<PresetSummary>()), web: 'server' }),
  getPreset: method({
    doc: "A built-in preset's full design, to edit. Refuses an unknown name.",
    names: ['name'],
    args: z.tuple([z.string({ error: 'must be a preset name' }).max(100, { error: 'must be a preset name' })]),
    result: typed<Design>(),
    web: 'server',
  }),
  listFonts: method({ doc: 'The fonts designs may use (bundled and imported).', names: [], args: z.tuple([]), result: z.array(typed<FontSummary>()), web: 'server' }),
  importFont: method({
    doc: 'Adds a font file: from `file`, or (desktop, no file) from an open dialog. Null when cancelled.',
    names: ['file'],
    args: z.tuple([pickedFile.nullish()]),
    result: typed<FontSummary>().nullable(),
    web: 'client', // a binary upload, refused by size before it is read
  }),
  renderPreview: method({
    doc: 'Validates with the core schema and renders raw pixels at the view\'s scale (full size without one); a bad design resolves with its issues.',
    names: ['design', 'seed', 'view'],
    args: z.tuple([designArg, seedSchema, previewView.nullish()]),
    result: typed<PreviewOutcome>(),
    web: 'client', // raw pixels
    invalid: (issues) => ({ ok: false as const, issues }),
  }),
  fitText: method({
    doc: 'Changes (text size, then position) that keep every glyph inside the canvas for any seed; [] when it already fits.',
    names: ['design'],
    args: z.tuple([designArg]),
    result: fitTextResult,
    web: 'server',
  }),
  renderSamples: method({
    doc: 'Renders the design at each seed, in one call, as small PNGs with their answers (the sample grid).',
    names: ['design', 'seeds'],
    args: z.tuple([designArg, sampleSeeds]),
    result: samplesResult,
    web: 'server',
  }),
  renderThumbnail: method({ doc: 'A small PNG data URL of the design (for the preset and recent lists).', names: ['design', 'seed'], args: z.tuple([designArg, optionalSeed]), result: z.string(), web: 'server' }),
  previewAudio: method({
    doc: "The design's answer at the seed spoken over noise, as the server speaks an issued captcha: a WAV data URL (the designer's Play audio).",
    names: ['design', 'seed'],
    args: z.tuple([designArg, seedSchema]),
    result: z.string(),
    web: 'server',
  }),
  openDesign: method({
    doc: 'Opens a design file: `file` (web, drag and drop), a recent `path` (desktop), or a dialog. Null when cancelled.',
    names: ['from'],
    args: z.tuple([z.union([pickedFile, recentPath], { error: 'must be a file {name, bytes} or a recent file {path}' }).nullish()]),
    result: openedDesign.nullable(),
    web: 'server',
  }),
  saveDesign: method({
    doc: 'Saves to `path` (atomically) or, with no path or saveAs, asks where. Null when cancelled.',
    names: ['design', 'opts'],
    args: z.tuple([designArg, z.object({ path: z.string({ error: 'must be a file path' }).nullish(), saveAs: z.boolean({ error: 'must be true or false' }).optional() }, { error: 'must be {path, saveAs}' }).nullish()]),
    result: savedDesign.nullable(),
    web: 'server', // the server checks the design and names the file; the page downloads it
  }),
  listRecent: method({ doc: 'Recently opened designs, newest first.', names: [], args: z.tuple([]), result: z.array(recentDesign), web: 'client' }),
  autosave: method({ doc: 'Keeps the open design so a crash or quit loses nothing; null clears it.', names: ['design'], args: z.tuple([designArg.nullable()]), result: z.void(), web: 'client' }),
  restoreAutosave: method({ doc: 'The design autosaved last, or null.', names: [], args: z.tuple([]), result: openedDesign.nullable(), web: 'client' }),
  setDocumentState: method({
    doc: 'The window title and whether closing should warn about unsaved changes.',
    names: ['state'],
    args: z.tuple([z.object({ title: z.string({ error: 'must be text' }), dirty: z.boolean({ error: 'must be true or false' }) }, { error: 'must be {title, dirty}' })]),
    result: z.void(),
    web: 'client',
  }),
  exportImage: method({
    doc: "One image in the design's format: a save dialog (desktop) or a download (web). Null when cancelled.",
    names: ['design', 'seed'],
    args: z.tuple([designArg, optionalSeed]),
    result: exportResult.nullable(),
    web: 'client', // a download
  }),
  /**
   * On the wire the UI's `onProgress` callback becomes a batch `id`; progress comes
   * back as BatchProgress events (desktop) or by polling the job (web).
   */
  exportBatch: method({
    doc: '`count` images plus answers.csv: a folder (desktop) or a zip download (web). Null when cancelled before starting.',
    names: ['design', 'count', 'id'],
    args: z.tuple([
      designArg,
      batchCountSchema,
      z.string({ error: 'must be a new batch id' }).regex(/^[\w-]{1,64}$/, { error: 'must be a new batch id' }),
    ]),
    result: batchResult.nullable(),
    web: 'client', // a job, polled, then a zip download
  }),
  cancelBatch: method({ doc: 'Stops a running batch export.', names: ['id'], args: z.tuple([z.string({ error: 'must be a batch id' }).max(64, { error: 'must be a batch id' })]), result: z.void(), web: 'client' }),
  serverStatus: method({ doc: "The local server's state.", names: [], args: z.tuple([]), result: serverStatus, web: 'server' }),
  startServer: method({
    doc: 'Starts the local server (desktop); web mode answers its status.',
    names: ['port'],
    args: z.tuple([z.number({ error: PORT_RULE }).int({ error: PORT_RULE }).min(0, { error: PORT_RULE }).max(65_535, { error: PORT_RULE }).optional()]),
    result: serverStatus,
    web: 'server',
  }),
  stopServer: method({ doc: 'Stops the local server (desktop); web mode answers its status.', names: [], args: z.tuple([]), result: serverStatus, web: 'server' }),
  publishDesign: method({ doc: 'Makes the design reachable on the local server for the snippets.', names: ['design'], args: z.tuple([designArg]), result: publishedDesign, web: 'server' }),
  startStrengthCheck: method({
    doc: "Starts a strength check of the design (blind-guess odds, attacks, legibility) in a worker: its id, to poll. The client's older check is cancelled; refused (busy) while the machine runs as many as it allows.",
    names: ['design', 'options'],
    args: z.tuple([designArg, strengthOptions.nullish()]),
    result: z.object({ id: z.string() }),
    web: 'server',
  }),
  strengthStatus: method({ doc: "A strength check's progress, then its report or why it failed.", names: ['id'], args: z.tuple([strengthId]), result: typed<StrengthStatus>(), web: 'server' }),
  cancelStrengthCheck: method({ doc: 'Stops a running strength check; a finished or unknown one is left as it is.', names: ['id'], args: z.tuple([strengthId]), result: z.union([z.void(), z.null()]), web: 'server' }),
} as const;

export type StudioMethods = typeof studioMethods;
export type StudioMethod = keyof StudioMethods;
export const STUDIO_METHODS = Object.keys(studioMethods) as StudioMethod[];

/** The arguments a caller passes (before validation) and a handler receives (after). */
export type ArgsIn<M extends StudioMethod> = z.input<StudioMethods[M]['args']>;
export type ArgsOut<M extends StudioMethod> = z.output<StudioMethods[M]['args']>;
export type ResultOf<M extends StudioMethod> = z.output<StudioMethods[M]['result']>;

/** What serves a call after its arguments were checked: desktop and web mode each implement these. */
export type StudioHandlers<M extends StudioMethod = StudioMethod> = { [K in M]: (...args: ArgsOut<K>) => ResultOf<K> | Promise<ResultOf<K>> };

/** The calls web mode serves through `POST /api/studio/:method`. */
export type WebServerMethod = { [K in StudioMethod]: StudioMethods[K]['web'] extends 'server' ? K : never }[StudioMethod];

/** Every call, as the UI makes it. */
type Invoke = { [K in StudioMethod]: (...args: ArgsIn<K>) => Promise<ResultOf<K>> };

export interface StudioApi extends Omit<Invoke, 'exportBatch'> {
  /** `count` images plus answers.csv: a folder (desktop) or a zip download (web). Null when cancelled before starting. */
  exportBatch(design: DesignInput, count: number, onProgress: (p: BatchProgress) => void): Promise<BatchResult | null>;
  /** Live request log; returns the unsubscribe function. */
  onRequestLog(listener: (entry: RequestLogEntry) => void): () => void;
  /** Native menu commands (desktop); web mode never calls the listener. */
  onMenuCommand(listener: (command: MenuCommand) => void): () => void;
}

/** The IPC channel of each call (the on* subscriptions use EVENTS). */
export const IPC = Object.fromEntries(STUDIO_METHODS.map((m) => [m, channelOf(m)])) as { [K in StudioMethod]: `studio:${K}` };

export { EVENTS };
