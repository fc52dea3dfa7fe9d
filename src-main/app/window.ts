/** The main window, with Electron's security checklist applied. */
import type { BrowserWindow as BW, BrowserWindowConstructorOptions } from 'electron';
import { join } from 'node:path';

export function secureWebPreferences(preload: string): NonNullable<BrowserWindowConstructorOptions['webPreferences']> {
  return {
    preload,
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

export function createMainWindow(BrowserWindow: typeof BW, outDir: string, devServerUrl?: string): BW {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 900,
    minHeight: 600,
    title: 'Captcha Studio',
    show: false,
    webPreferences: secureWebPreferences(join(outDir, '../preload/index.cjs')),
  });
  // No navigation away from the app and no new windows, whatever a page tries.
  win.webContents.on('will-navigate', (e) => e.preventDefault());
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.once('ready-to-show', () => win.show());
  if (devServerUrl) void win.loadURL(devServerUrl);
  else void win.loadFile(join(outDir, '../renderer/index.html'));
  return win;
}
