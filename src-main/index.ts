// Electron main entry: glue only. Rendering lives in core/, IPC in app/ipc.ts.
import { app, BrowserWindow, ipcMain, session } from 'electron';
import { fileURLToPath } from 'node:url';
import { registerIpc } from './app/ipc.ts';
import { createMainWindow } from './app/window.ts';

const devServerUrl = process.env.ELECTRON_RENDERER_URL;
const outDir = fileURLToPath(new URL('.', import.meta.url));

if (!app.requestSingleInstanceLock()) app.quit();
else {
  app.on('second-instance', () => BrowserWindow.getAllWindows()[0]?.focus());
  app.whenReady().then(() => {
    // Deny every permission request (camera, notifications, ...): the studio needs none.
    session.defaultSession.setPermissionRequestHandler((_wc, _perm, done) => done(false));
    registerIpc(ipcMain, devServerUrl);
    createMainWindow(BrowserWindow, outDir, devServerUrl);
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createMainWindow(BrowserWindow, outDir, devServerUrl);
    });
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
