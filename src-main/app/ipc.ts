/**
 * IPC handlers: one per StudioApi method. Each checks that the call comes from
 * our own window's page and validates its input (with the core's schema for
 * designs) before anything renders or touches a file.
 */
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { IPC } from '../api.ts';
import { DesignError } from '../core/design.ts';
import { DesignFileError } from '../files/design-files.ts';
import { StudioInputError } from '../studio/studio-service.ts';
import type { DesktopStudio } from './desktop-studio.ts';

export class IpcInputError extends Error {}

/** Accepts only our own bundled page (file://) or the dev server's exact origin. */
export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'senderFrame'>, devServerUrl?: string): boolean {
  const url = event.senderFrame?.url;
  if (!url) return false;
  if (devServerUrl) {
    try {
      return new URL(url).origin === new URL(devServerUrl).origin;
    } catch {
      return false;
    }
  }
  return url.startsWith('file://');
}

/** Errors cross IPC as their message only: bad input says which field; a bug says little. */
function forRenderer(e: unknown): Error {
  if (e instanceof DesignError || e instanceof DesignFileError || e instanceof StudioInputError || e instanceof IpcInputError) return new Error(e.message);
  if (e instanceof RangeError && /^\w+:/.test(e.message)) return new Error(e.message);
  const code = (e as NodeJS.ErrnoException)?.code;
  // File system errors (read-only folder, disk full) are the user's to know about.
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return new Error(`${(e as Error).message}`);
  console.error('captcha-studio: internal error in an IPC handler:', e);
  return new Error(`internal error: ${(e as Error)?.message ?? String(e)}`);
}

type Handlers = { [K in keyof typeof IPC]: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown };

export function handlers(studio: DesktopStudio): Handlers {
  return {
    info: () => studio.info(),
    listPresets: () => studio.listPresets(),
    getPreset: (_e, name) => studio.getPreset(name),
    listFonts: () => studio.service.listFonts(),
    importFont: (_e, file) => studio.importFont(file),
    // One latest-wins preview slot per window.
    renderPreview: (e, design, seed) => studio.service.preview(`window:${e.sender?.id ?? 0}`, design, seed),
    renderThumbnail: (_e, design, seed) => studio.service.thumbnail(design, seed),
    openDesign: (_e, from) => studio.openDesign(from),
    saveDesign: (_e, design, opts) => studio.saveDesign(design, opts),
    listRecent: () => studio.listRecent(),
    autosave: (_e, design) => studio.autosave(design),
    restoreAutosave: () => studio.restoreAutosave(),
    setDocumentState: (_e, state) => studio.setDocumentState(state),
    exportImage: (_e, design, seed) => studio.exportImage(design, seed),
    exportBatch: (_e, design, count, id) => studio.exportBatch(design, count, id),
    cancelBatch: (_e, id) => studio.cancelBatch(id),
    serverStatus: () => studio.serverStatus(),
    startServer: (_e, port) => studio.startServer(port),
    stopServer: () => studio.stopServer(),
    publishDesign: (_e, design) => studio.publishDesign(design),
  };
}

export function registerIpc(ipcMain: Pick<IpcMain, 'handle'>, studio: DesktopStudio, devServerUrl?: string): void {
  const all = handlers(studio);
  for (const key of Object.keys(IPC) as (keyof typeof IPC)[]) {
    const fn = all[key];
    ipcMain.handle(IPC[key], async (event, ...args) => {
      if (!isTrustedSender(event, devServerUrl)) throw new IpcInputError('refused: the call did not come from the Captcha Studio window');
      try {
        return await fn(event, ...args);
      } catch (e) {
        throw forRenderer(e);
      }
    });
  }
}
