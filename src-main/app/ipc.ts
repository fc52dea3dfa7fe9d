/**
 * IPC registration, derived from api.ts's table: one handler per call, on the
 * call's channel. Each checks that the call comes from our own window's page, then
 * studio/calls.ts checks its arguments against the table before anything renders
 * or touches a file.
 */
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { IPC, STUDIO_METHODS, type StudioHandlers } from '../api.ts';
import { InputError } from '../core/input-error.ts';
import { callStudio } from '../studio/calls.ts';
import type { DesktopStudio } from './desktop-studio.ts';

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

/**
 * Errors cross IPC as their message only: bad input says which field, a file the
 * system refused says why (read-only folder, disk full); a bug says little.
 */
function forRenderer(e: unknown): Error {
  if (e instanceof InputError) return new Error(e.message);
  const code = (e as NodeJS.ErrnoException)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return new Error(`${(e as Error).message}`);
  console.error('captcha-studio: internal error in an IPC handler:', e);
  return new Error(`internal error: ${(e as Error)?.message ?? String(e)}`);
}

/** The calls as served to one window: its previews share one latest-wins slot. */
export function handlersFor(studio: DesktopStudio, event: Pick<IpcMainInvokeEvent, 'sender'>): StudioHandlers {
  const slot = `window:${event.sender?.id ?? 0}`;
  return {
    info: () => studio.info(),
    listPresets: () => studio.listPresets(),
    getPreset: (name) => studio.getPreset(name),
    listFonts: () => studio.listFonts(),
    importFont: (file) => studio.importFont(file),
    renderPreview: (design, seed) => studio.service.preview(slot, design, seed),
    renderThumbnail: (design, seed) => studio.renderThumbnail(design, seed),
    openDesign: (from) => studio.openDesign(from),
    saveDesign: (design, opts) => studio.saveDesign(design, opts),
    listRecent: () => studio.listRecent(),
    autosave: (design) => studio.autosave(design),
    restoreAutosave: () => studio.restoreAutosave(),
    setDocumentState: (state) => studio.setDocumentState(state),
    exportImage: (design, seed) => studio.exportImage(design, seed),
    exportBatch: (design, count, id) => studio.exportBatch(design, count, id),
    cancelBatch: (id) => studio.cancelBatch(id),
    serverStatus: () => studio.serverStatus(),
    startServer: (port) => studio.startServer(port),
    stopServer: () => studio.stopServer(),
    publishDesign: (design) => studio.publishDesign(design),
  };
}

export function registerIpc(ipcMain: Pick<IpcMain, 'handle'>, studio: DesktopStudio, devServerUrl?: string): void {
  for (const method of STUDIO_METHODS) {
    ipcMain.handle(IPC[method], async (event, ...args) => {
      if (!isTrustedSender(event, devServerUrl)) throw new Error('refused: the call did not come from the Captcha Studio window');
      try {
        return await callStudio(handlersFor(studio, event), method, args);
      } catch (e) {
        throw forRenderer(e);
      }
    });
  }
}
