/** The main window, with Electron's security checklist applied, restored to its last place. */
import type { BrowserWindow as BW, BrowserWindowConstructorOptions, Rectangle } from 'electron';
import { join } from 'node:path';
import { STUDIO_METHODS } from '../api.ts';
import { METHODS_ARG } from '../ipc-channels.ts';
import type { Settings } from './settings.ts';

/**
 * The preload builds window.studio from this list of api.ts's calls, handed down
 * as an argument (Electron's way to pass small data to a sandboxed preload), so the
 * preload bundle need not carry the table's zod schemas (about 450 KB).
 */
export { METHODS_ARG };

export function secureWebPreferences(preload: string): NonNullable<BrowserWindowConstructorOptions['webPreferences']> {
  return {
    preload,
    additionalArguments: [`${METHODS_ARG}${STUDIO_METHODS.join(',')}`],
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    spellcheck: false,
  };
}

export const DEFAULT_BOUNDS = { width: 1280, height: 800 };

/**
 * The saved bounds if at least a 100x50 corner of the window would be on one of
 * today's displays (a monitor may have been unplugged), else the default size.
 */
export function restoreBounds(saved: Settings['window'], workAreas: Rectangle[]): Partial<Rectangle> {
  if (!saved) return { ...DEFAULT_BOUNDS };
  const visible = workAreas.some((a) => {
    const w = Math.min(saved.x + saved.width, a.x + a.width) - Math.max(saved.x, a.x);
    const h = Math.min(saved.y + saved.height, a.y + a.height) - Math.max(saved.y, a.y);
    return w >= 100 && h >= 50;
  });
  return visible ? { x: saved.x, y: saved.y, width: saved.width, height: saved.height } : { width: saved.width, height: saved.height };
}

export function createMainWindow(BrowserWindow: typeof BW, outDir: string, opts: { devServerUrl?: string; bounds?: Partial<Rectangle>; maximized?: boolean } = {}): BW {
  const win = new BrowserWindow({
    ...DEFAULT_BOUNDS,
    ...opts.bounds,
    minWidth: 900,
    minHeight: 600,
    title: 'Captcha Studio',
    show: false,
    webPreferences: secureWebPreferences(join(outDir, '../preload/index.cjs')),
  });
  // No navigation away from the app and no new windows, whatever a page tries.
  win.webContents.on('will-navigate', (e) => e.preventDefault());
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.once('ready-to-show', () => {
    if (opts.maximized) win.maximize();
    win.show();
  });
  if (opts.devServerUrl) void win.loadURL(opts.devServerUrl);
  else void win.loadFile(join(outDir, '../renderer/index.html'));
  return win;
}
