/**
 * The one contract between the main process and the UI: `window.studio` in the
 * desktop app (preload bridge over IPC) and an HTTP client in web mode implement
 * this same interface. The renderer may import this file's types only.
 */
import type { Design, DesignInput, DesignIssue } from './core/design.ts';
import type { FontSummary } from './core/fonts.ts';
import type { PresetSummary } from './core/presets.ts';

export type { Design, DesignInput, DesignIssue, FontSummary, PresetSummary };

/** Raw RGBA pixels (not premultiplied): drawn with putImageData, no PNG round trip. */
export interface PreviewPixels {
  ok: true;
  width: number;
  height: number;
  pixels: Uint8Array;
  seed: number;
  answer: string | null;
}
/** Bad design: every issue names its field. `superseded`: a newer preview replaced this one. */
export type PreviewOutcome = PreviewPixels | { ok: false; issues: DesignIssue[] } | { ok: false; superseded: true; issues: [] };

export interface OpenedDesign {
  design: Design;
  /** Where it came from: a file path (desktop) or null (web, presets, autosave). */
  path: string | null;
  name: string;
}

export interface SavedDesign {
  path: string | null;
  name: string;
}

export interface RecentDesign {
  /** Desktop: the file path. Web: a key into the browser's storage. */
  path: string;
  name: string;
  width: number;
  height: number;
  openedAt: number;
  /** PNG data URL, when one could be made. */
  thumbnail?: string;
}

export interface ExportResult {
  /** Desktop: the file written. Web: the downloaded file's name. */
  path: string;
  width: number;
  height: number;
  bytes: number;
}

export interface BatchProgress {
  id: string;
  done: number;
  total: number;
}

export interface BatchResult {
  /** Desktop: the new subfolder the batch was written to. Web: the downloaded zip's name. */
  path: string;
  count: number;
  cancelled: boolean;
}

export interface ServerStatus {
  running: boolean;
  url: string | null;
  port: number | null;
  /** The port asked for in settings. */
  preferredPort: number;
  /** Plain words for the user, e.g. "port 7878 was busy, using 51234 instead". */
  message: string | null;
  /** False in web mode: the UI is served by this server and cannot stop it. */
  controllable: boolean;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  ms: number;
  time: number;
}

export interface PublishedDesign {
  /** Name under /designs/ (and ?design= for captcha routes). */
  name: string;
  /** Path of the image on the server, e.g. /designs/my-captcha.png or /captcha.png?design=x. */
  path: string;
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

export interface StudioInfo {
  mode: 'desktop' | 'web';
  version: string;
  /** Problems found at start that the user should see, e.g. font files skipped because they do not parse. */
  problems: string[];
}

/** A file the user picked in the page (web mode, drag and drop). */
export interface PickedFile {
  name: string;
  bytes: Uint8Array;
}

export interface StudioApi {
  info(): Promise<StudioInfo>;
  listPresets(): Promise<PresetSummary[]>;
  /** A built-in preset's full design, to edit. Rejects for an unknown name. */
  getPreset(name: string): Promise<Design>;
  listFonts(): Promise<FontSummary[]>;
  /** Adds a font file: from `file`, or (desktop, no file) from an open dialog. Null when cancelled. */
  importFont(file?: PickedFile): Promise<FontSummary | null>;
  /** Validates with the core schema and renders raw pixels; a bad design resolves with its issues. */
  renderPreview(design: DesignInput, seed: number): Promise<PreviewOutcome>;
  /** A small PNG data URL of the design (for the preset and recent lists). */
  renderThumbnail(design: DesignInput, seed?: number): Promise<string>;

  /** Opens a design file: `file` (web, drag and drop), a recent `path` (desktop), or a dialog. Null when cancelled. */
  openDesign(from?: PickedFile | { path: string }): Promise<OpenedDesign | null>;
  /** Saves to `path` (atomically) or, with no path or saveAs, asks where. Null when cancelled. */
  saveDesign(design: DesignInput, opts?: { path?: string | null; saveAs?: boolean }): Promise<SavedDesign | null>;
  listRecent(): Promise<RecentDesign[]>;
  /** Keeps the open design so a crash or quit loses nothing; null clears it. */
  autosave(design: DesignInput | null): Promise<void>;
  restoreAutosave(): Promise<OpenedDesign | null>;
  /** The window title and whether closing should warn about unsaved changes. */
  setDocumentState(state: { title: string; dirty: boolean }): Promise<void>;

  /** One image in the design's format: a save dialog (desktop) or a download (web). Null when cancelled. */
  exportImage(design: DesignInput, seed?: number): Promise<ExportResult | null>;
  /** `count` images plus answers.csv: a folder (desktop) or a zip download (web). Null when cancelled before starting. */
  exportBatch(design: DesignInput, count: number, onProgress: (p: BatchProgress) => void): Promise<BatchResult | null>;
  cancelBatch(id: string): Promise<void>;

  serverStatus(): Promise<ServerStatus>;
  startServer(port?: number): Promise<ServerStatus>;
  stopServer(): Promise<ServerStatus>;
  /** Makes the design reachable on the local server for the snippets. */
  publishDesign(design: DesignInput): Promise<PublishedDesign>;
  /** Live request log; returns the unsubscribe function. */
  onRequestLog(listener: (entry: RequestLogEntry) => void): () => void;
  /** Native menu commands (desktop); web mode never calls the listener. */
  onMenuCommand(listener: (command: MenuCommand) => void): () => void;
}

/** IPC channel per invoke-style API method (the on* subscriptions use EVENTS). */
export const IPC = {
  info: 'studio:info',
  listPresets: 'studio:list-presets',
  getPreset: 'studio:get-preset',
  listFonts: 'studio:list-fonts',
  importFont: 'studio:import-font',
  renderPreview: 'studio:render-preview',
  renderThumbnail: 'studio:render-thumbnail',
  openDesign: 'studio:open-design',
  saveDesign: 'studio:save-design',
  listRecent: 'studio:list-recent',
  autosave: 'studio:autosave',
  restoreAutosave: 'studio:restore-autosave',
  setDocumentState: 'studio:set-document-state',
  exportImage: 'studio:export-image',
  exportBatch: 'studio:export-batch',
  cancelBatch: 'studio:cancel-batch',
  serverStatus: 'studio:server-status',
  startServer: 'studio:start-server',
  stopServer: 'studio:stop-server',
  publishDesign: 'studio:publish-design',
} as const satisfies Record<Exclude<keyof StudioApi, 'onRequestLog' | 'onMenuCommand'>, string>;

/** Main -> renderer event channels. */
export const EVENTS = {
  requestLog: 'studio:request-log',
  menuCommand: 'studio:menu-command',
  batchProgress: 'studio:batch-progress',
} as const;

export const DEFAULT_SERVER_PORT = 7878;
/** Upper bound for one batch export from the designer (the CLI streams to disk and allows more). */
export const MAX_DESIGNER_BATCH = 10_000;
