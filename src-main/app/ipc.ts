/**
 * IPC handlers: each checks that the call comes from our own window's page and
 * validates its input with the core's schema before anything renders.
 */
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { IPC, type PreviewResult } from '../api.ts';
import { DesignError, parseDesign, type Design } from '../core/design.ts';
import { getPreset, listPresets } from '../core/presets.ts';
import { MAX_SEED } from '../core/random.ts';
import { renderImage } from '../core/render.ts';

export class IpcInputError extends Error {}

/** Accepts only our own bundled page (file://) or the dev server's exact origin. */
export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'senderFrame'>, devServerUrl?: string): boolean {
  const url = event.senderFrame?.url;
  if (!url) return false;
  if (devServerUrl) return new URL(url).origin === new URL(devServerUrl).origin;
  return url.startsWith('file://');
}

export function renderPreview(design: unknown, seed: unknown): PreviewResult {
  if (seed !== undefined && (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > MAX_SEED)) {
    throw new IpcInputError(`seed: must be a whole number from 0 to ${MAX_SEED}`);
  }
  let parsed;
  try {
    parsed = parseDesign(design);
  } catch (e) {
    if (e instanceof DesignError) throw new IpcInputError(e.message);
    throw e;
  }
  const img = renderImage({ ...parsed, output: { ...parsed.output, format: 'png' } }, { seed: seed as number | undefined });
  return { width: img.width, height: img.height, dataUrl: `data:image/png;base64,${img.bytes.toString('base64')}`, seed: img.seed, answer: img.challenge?.answer ?? null };
}

export function presetByName(name: unknown): Design {
  if (typeof name !== 'string' || name.length > 100) throw new IpcInputError('name: must be a preset name');
  const d = getPreset(name);
  if (!d) throw new IpcInputError(`name: no preset called "${name}"`);
  return d;
}

export function registerIpc(ipcMain: Pick<IpcMain, 'handle'>, devServerUrl?: string): void {
  const guard =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    (event: IpcMainInvokeEvent, ...args: A): R => {
      if (!isTrustedSender(event, devServerUrl)) throw new IpcInputError('refused: the call did not come from the Captcha Studio window');
      return fn(...args);
    };
  ipcMain.handle(IPC.listPresets, guard(() => listPresets()));
  ipcMain.handle(IPC.getPreset, guard((name: unknown) => presetByName(name)));
  ipcMain.handle(IPC.renderPreview, guard((design: unknown, seed: unknown) => renderPreview(design, seed)));
}
