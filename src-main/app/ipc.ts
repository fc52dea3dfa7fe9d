/**
 * IPC registration, derived from api.ts's table: one handler per call, on the
 * call's channel. Each checks that the call comes from our own window's page, then
 * studio/calls.ts checks its arguments against the table before anything renders
 * or touches a file.
 */
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { IPC, STUDIO_METHODS } from '../api.ts';
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

export function registerIpc(ipcMain: Pick<IpcMain, 'handle'>, studio: DesktopStudio, devServerUrl?: string): void {
  for (const method of STUDIO_METHODS) {
    ipcMain.handle(IPC[method], async (event, ...args) => {
      if (!isTrustedSender(event, devServerUrl)) throw new Error('refused: the call did not come from the Captcha Studio window');
      try {
        return await callStudio(studio, method, args);
      } catch (e) {
        throw forRenderer(e);
      }
    });
  }
}
