/**
 * The desktop side of StudioApi: dialogs, files, settings and the embedded server
 * around the shared StudioService. Electron is injected (dialogs, the window's
 * sender), so this runs and is tested in plain Node.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { BatchResult, DesignInput, ExportResult, OpenedDesign, PickedFile, PublishedDesign, RecentDesign, SavedDesign, ServerStatus, StudioInfo } from '../api.ts';
import { EVENTS } from '../api.ts';
import { parseDesign, type Design } from '../core/design.ts';
import { getPreset, listPresets, type PresetSummary } from '../core/presets.ts';
import { EXTENSION } from '../core/render.ts';
import { DesignFileError, parseDesignText, readDesignFile, saveDesignFile, writeFileAtomic } from '../files/design-files.ts';
import { BatchCancelled, checkBatchCount, exportBatchToFolder } from '../batch/render-batch.ts';
import { checkSeed, StudioInputError, type StudioService } from '../studio/studio-service.ts';
import type { EmbeddedServer } from './embedded-server.ts';
import type { SettingsStore } from './settings.ts';

/** What the desktop needs from Electron's dialog module, as plain async functions. */
export interface Dialogs {
  openFile(opts: { title: string; filters: { name: string; extensions: string[] }[] }): Promise<string | null>;
  saveFile(opts: { title: string; defaultPath: string; filters: { name: string; extensions: string[] }[] }): Promise<string | null>;
  chooseFolder(opts: { title: string }): Promise<string | null>;
}

export interface DocumentWindow {
  setTitle(title: string): void;
  send(channel: string, payload: unknown): void;
}

const DESIGN_FILTER = [{ name: 'Captcha Studio design', extensions: ['json'] }];
const MAX_PICKED_BYTES = 32 * 1024 * 1024;

function slug(name: string): string {
  return name.replace(/[^\w.-]+/g, '-').replace(/^[.-]+/, '') || 'untitled';
}

/** A file handed over from the page: a name and bytes, both bounded. */
export function checkPickedFile(file: unknown): PickedFile {
  const f = file as PickedFile | null;
  if (!f || typeof f !== 'object' || typeof f.name !== 'string' || f.name.length === 0 || f.name.length > 255) throw new StudioInputError('file.name', 'must be a file name');
  if (!(f.bytes instanceof Uint8Array)) throw new StudioInputError('file.bytes', 'must be the file\'s bytes');
  if (f.bytes.byteLength > MAX_PICKED_BYTES) throw new StudioInputError('file.bytes', `must be at most ${MAX_PICKED_BYTES} bytes`);
  return f;
}

export class DesktopStudio {
  dirty = false;
  private readonly batches = new Map<string, AbortController>();

  constructor(
    readonly service: StudioService,
    readonly settings: SettingsStore,
    readonly server: EmbeddedServer,
    private readonly dialogs: Dialogs,
    private readonly userDataDir: string,
    private readonly window: () => DocumentWindow | null,
    readonly version = '0.0.0',
  ) {}

  info(): StudioInfo {
    return { mode: 'desktop', version: this.version, problems: this.service.problems };
  }

  listPresets(): PresetSummary[] {
    return listPresets();
  }

  getPreset(name: unknown): Design {
    if (typeof name !== 'string' || name.length > 100) throw new StudioInputError('name', 'must be a preset name');
    const d = getPreset(name);
    if (!d) throw new StudioInputError('name', `no preset called "${name}"`);
    return d;
  }

  async importFont(file?: unknown) {
    let picked: PickedFile;
    if (file !== undefined && file !== null) picked = checkPickedFile(file);
    else {
      const path = await this.dialogs.openFile({ title: 'Import a font', filters: [{ name: 'Fonts', extensions: ['ttf', 'otf'] }] });
      if (!path) return null;
      picked = { name: basename(path), bytes: readFileSync(path) };
    }
    return this.service.importFont(picked.name, picked.bytes);
  }

  private remember(path: string, d: Design): void {
    this.settings.addRecent({ path, name: d.name, width: d.width, height: d.height, openedAt: Date.now() });
  }

  /** Opens a file: a recent path, bytes from the page, or a dialog. Bad files are reported with the path and the problem. */
  async openDesign(from?: unknown): Promise<OpenedDesign | null> {
    if (from && typeof from === 'object' && 'path' in from) {
      const path = (from as { path: unknown }).path;
      if (typeof path !== 'string' || !this.settings.settings.recent.some((r) => r.path === path)) throw new StudioInputError('path', 'must be one of the recent files');
      return this.openPath(path);
    }
    if (from !== undefined && from !== null) {
      const f = checkPickedFile(from);
      return { design: parseDesignText(f.name, Buffer.from(f.bytes).toString('utf8')), path: null, name: f.name };
    }
    const path = await this.dialogs.openFile({ title: 'Open design', filters: DESIGN_FILTER });
    return path ? this.openPath(path) : null;
  }

  private openPath(path: string): OpenedDesign {
    const design = readDesignFile(path); // throws DesignFileError; the file is never touched
    this.remember(path, design);
    return { design, path, name: basename(path) };
  }

  async saveDesign(input: unknown, opts?: unknown): Promise<SavedDesign | null> {
    const design = this.parse(input);
    const o = (opts ?? {}) as { path?: unknown; saveAs?: unknown };
    if (o.path !== undefined && o.path !== null && typeof o.path !== 'string') throw new StudioInputError('path', 'must be a file path');
    let path = !o.saveAs && typeof o.path === 'string' ? o.path : null;
    // Saving silently is only allowed over a file this window opened or saved before.
    if (path && !this.settings.settings.recent.some((r) => r.path === path)) path = null;
    path ??= await this.dialogs.saveFile({ title: 'Save design', defaultPath: `${slug(design.name)}.json`, filters: DESIGN_FILTER });
    if (!path) return null;
    saveDesignFile(path, design);
    this.remember(path, design);
    return { path, name: basename(path) };
  }

  async listRecent(): Promise<RecentDesign[]> {
    const out: RecentDesign[] = [];
    for (const r of this.settings.settings.recent) {
      let thumbnail: string | undefined;
      try {
        thumbnail = await this.service.thumbnail(readDesignFile(r.path));
      } catch {
        /* moved, deleted or broken: listed without a picture; opening it says why */
      }
      out.push({ ...r, thumbnail });
    }
    return out;
  }

  private get autosaveFile(): string {
    return join(this.userDataDir, 'autosave.json');
  }

  autosave(input: unknown): void {
    if (input === null) {
      writeFileAtomic(this.autosaveFile, 'null\n');
      return;
    }
    writeFileAtomic(this.autosaveFile, JSON.stringify(this.parse(input)) + '\n');
  }

  /**
   * The design autosaved last session, or null. A broken autosave (a crash while
   * writing, a newer version) is moved aside, never overwritten by the next
   * autosave, and reported with where it was kept.
   */
  restoreAutosave(): OpenedDesign | null {
    let text: string;
    try {
      text = readFileSync(this.autosaveFile, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e; // unreadable, not broken: reported as it is, and left where it is
    }
    if (text.trim() === 'null') return null; // cleared by autosave(null)
    try {
      return { design: parseDesignText(this.autosaveFile, text), path: null, name: 'autosave' };
    } catch (e) {
      if (!(e instanceof DesignFileError)) throw e;
      const kept = join(this.userDataDir, `autosave-broken-${Date.now()}-${randomBytes(3).toString('hex')}.json`);
      renameSync(this.autosaveFile, kept);
      throw new DesignFileError(kept, '', `the autosaved design could not be restored: ${e.field ? `${e.field}: ` : ''}${e.problem}. It was kept as it was in this file.`);
    }
  }

  setDocumentState(state: unknown): void {
    const s = state as { title?: unknown; dirty?: unknown } | null;
    if (!s || typeof s.title !== 'string' || typeof s.dirty !== 'boolean') throw new StudioInputError('state', 'must be {title, dirty}');
    this.dirty = s.dirty;
    this.window()?.setTitle(`${s.dirty ? '• ' : ''}${s.title.slice(0, 200)} — Captcha Studio`);
  }

  async exportImage(input: unknown, seed?: unknown): Promise<ExportResult | null> {
    const design = this.parse(input);
    const s = checkSeed(seed);
    const ext = EXTENSION[design.output.format];
    const path = await this.dialogs.saveFile({ title: 'Export image', defaultPath: `${slug(design.name)}.${ext}`, filters: [{ name: ext.toUpperCase(), extensions: [ext] }] });
    if (!path) return null;
    const out = await this.service.exportImage(design, s);
    writeFileAtomic(path, out.bytes);
    return { path, width: out.width, height: out.height, bytes: out.bytes.length };
  }

  async exportBatch(input: unknown, count: unknown, id: unknown): Promise<BatchResult | null> {
    const design = this.parse(input);
    this.service.checkRenderBudget(design); // per image: all of a batch's images cost the same
    const n = checkBatchCount(count);
    if (typeof id !== 'string' || !/^[\w-]{1,64}$/.test(id) || this.batches.has(id)) throw new StudioInputError('id', 'must be a new batch id');
    const dir = await this.dialogs.chooseFolder({ title: `Export ${n} images to…` });
    if (!dir) return null;
    const controller = new AbortController();
    this.batches.set(id, controller);
    try {
      // The batch is one new subfolder of the picked folder, moved in whole (see exportBatchToFolder).
      const path = await exportBatchToFolder(this.service.pool, design, n, dir, {
        signal: controller.signal,
        onProgress: (done, total) => this.window()?.send(EVENTS.batchProgress, { id, done, total }),
      });
      return { path, count: n, cancelled: false };
    } catch (e) {
      if (e instanceof BatchCancelled) return { path: dir, count: 0, cancelled: true };
      throw e;
    } finally {
      this.batches.delete(id);
    }
  }

  cancelBatch(id: unknown): void {
    if (typeof id !== 'string') throw new StudioInputError('id', 'must be a batch id');
    this.batches.get(id)?.abort();
  }

  serverStatus(): ServerStatus {
    return this.server.status();
  }

  async startServer(port?: unknown): Promise<ServerStatus> {
    if (port !== undefined && (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65_535)) throw new StudioInputError('port', 'must be a whole number from 0 to 65535');
    if (port !== undefined) this.settings.update({ port });
    return this.server.start(port as number | undefined);
  }

  stopServer(): Promise<ServerStatus> {
    return this.server.stop();
  }

  publishDesign(input: unknown): PublishedDesign {
    return this.server.designs.publish(this.parse(input));
  }

  private parse(input: unknown): Design {
    return parseDesign(input as DesignInput);
  }
}
