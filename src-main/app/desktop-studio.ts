/**
 * The desktop side of StudioApi: dialogs, files, settings and the embedded server
 * around the shared StudioService. Electron is injected (dialogs, the window's
 * sender), so this runs and is tested in plain Node. Arguments arrive checked
 * against api.ts's table (studio/calls.ts); designs are parsed here with the core's
 * schema, which names every bad field.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ArgsOut, BatchResult, FitTextResult, PreviewOutcome, PreviewView, DesignInput, ExportResult, FontSummary, OpenedDesign, PickedFile, PublishedDesign, RecentDesign, SamplesResult, SavedDesign, ServerStatus, StrengthStatus, StudioHandlers, StudioInfo } from '../api.ts';
import { EVENTS } from '../api.ts';
import { parseDesign, type Design } from '../core/design.ts';
import { previewAudioDataUrl } from '../audio/clips.ts';
import { InputError } from '../core/input-error.ts';
import { EXTENSION, fileSlug } from '../core/naming.ts';
import { getPreset, listPresets, type PresetSummary } from '../core/presets.ts';
import { DesignFileError, parseDesignText, readDesignFile, saveDesignFile, writeFileAtomic } from '../files/design-files.ts';
import { BatchCancelled, exportBatchToFolder } from '../batch/render-batch.ts';
import type { StudioService } from '../studio/studio-service.ts';
import { startStrengthCheck, strengthJobs } from '../strength/jobs.ts';
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

export class DesktopStudio implements StudioHandlers {
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

  getPreset(name: string): Design {
    const d = getPreset(name);
    if (!d) throw new InputError('name', `no preset called "${name}"`, { kind: 'not-found' });
    return d;
  }

  listFonts(): FontSummary[] {
    return this.service.listFonts();
  }

  /** The app has one window: its previews share one latest-wins slot. */
  renderPreview(design: DesignInput, seed: number, view?: PreviewView | null): Promise<PreviewOutcome> {
    return this.service.previews.preview('window', design, seed, view);
  }

  async fitText(design: DesignInput): Promise<FitTextResult> {
    return { changes: await this.service.pool.fitText(this.parse(design)) };
  }

  renderThumbnail(design: DesignInput, seed?: number | null): Promise<string> {
    return this.service.thumbnail(design, seed);
  }

  async previewAudio(design: DesignInput, seed: number): Promise<string> {
    return previewAudioDataUrl(this.service.design(design), seed);
  }

  renderSamples(design: DesignInput, seeds: number[]): Promise<SamplesResult> {
    return this.service.samples(design, seeds);
  }

  async importFont(file?: PickedFile | null): Promise<FontSummary | null> {
    let picked: PickedFile;
    if (file) picked = file;
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
  async openDesign(from?: ArgsOut<'openDesign'>[0]): Promise<OpenedDesign | null> {
    if (from && 'path' in from) {
      if (!this.settings.settings.recent.some((r) => r.path === from.path)) throw new InputError('path', 'must be one of the recent files');
      return this.openPath(from.path);
    }
    if (from) return { design: parseDesignText(from.name, Buffer.from(from.bytes).toString('utf8')), path: null, name: from.name };
    const path = await this.dialogs.openFile({ title: 'Open design', filters: DESIGN_FILTER });
    return path ? this.openPath(path) : null;
  }

  private openPath(path: string): OpenedDesign {
    const design = readDesignFile(path); // throws DesignFileError; the file is never touched
    this.remember(path, design);
    return { design, path, name: basename(path) };
  }

  async saveDesign(input: DesignInput, opts?: ArgsOut<'saveDesign'>[1]): Promise<SavedDesign | null> {
    const design = this.parse(input);
    let path = !opts?.saveAs ? (opts?.path ?? null) : null;
    // Saving silently is only allowed over a file this window opened or saved before.
    if (path && !this.settings.settings.recent.some((r) => r.path === path)) path = null;
    path ??= await this.dialogs.saveFile({ title: 'Save design', defaultPath: `${fileSlug(design.name, 'untitled')}.json`, filters: DESIGN_FILTER });
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

  autosave(input: DesignInput | null): void {
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
      throw new DesignFileError(kept, '', `the autosaved design could not be restored: ${e.designField ? `${e.designField}: ` : ''}${e.problem}. It was kept as it was in this file.`);
    }
  }

  setDocumentState(s: { title: string; dirty: boolean }): void {
    this.dirty = s.dirty;
    this.window()?.setTitle(`${s.dirty ? '• ' : ''}${s.title.slice(0, 200)} — Captcha Studio`);
  }

  async exportImage(input: DesignInput, seed?: number | null): Promise<ExportResult | null> {
    const design = this.parse(input);
    const ext = EXTENSION[design.output.format];
    const path = await this.dialogs.saveFile({ title: 'Export image', defaultPath: `${fileSlug(design.name, 'untitled')}.${ext}`, filters: [{ name: ext.toUpperCase(), extensions: [ext] }] });
    if (!path) return null;
    const out = await this.service.exportImage(design, seed);
    writeFileAtomic(path, out.bytes);
    return { path, width: out.width, height: out.height, bytes: out.bytes.length };
  }

  async exportBatch(input: DesignInput, n: number, id: string): Promise<BatchResult | null> {
    const design = this.parse(input);
    this.service.checkRenderBudget(design); // per image: all of a batch's images cost the same
    if (this.batches.has(id)) throw new InputError('id', 'must be a new batch id');
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

  cancelBatch(id: string): void {
    this.batches.get(id)?.abort();
  }

  serverStatus(): ServerStatus {
    return this.server.status();
  }

  async startServer(port?: number): Promise<ServerStatus> {
    if (port !== undefined) this.settings.update({ port });
    return this.server.start(port);
  }

  stopServer(): Promise<ServerStatus> {
    return this.server.stop();
  }

  publishDesign(input: DesignInput): PublishedDesign {
    return this.server.designs.publish(this.parse(input));
  }

  /** The app has one window: one running check (a new one cancels the older). Scored ignoring case, as the embedded server checks answers. */
  startStrengthCheck(design: DesignInput, options?: ArgsOut<'startStrengthCheck'>[1]): { id: string } {
    return startStrengthCheck(strengthJobs(), this.service, 'window', design, options, true);
  }

  strengthStatus(id: string): StrengthStatus {
    return strengthJobs().status(id);
  }

  cancelStrengthCheck(id: string): void {
    strengthJobs().cancel(id);
  }

  private parse(input: DesignInput): Design {
    return parseDesign(input);
  }
}
