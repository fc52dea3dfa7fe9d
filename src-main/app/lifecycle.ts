/**
 * App lifecycle: single instance, the secure window, settings, the shared render
 * pool, the embedded server (started with the app, stopped on quit), menus and
 * the unsaved-changes prompt. Electron comes in as a parameter so tests can run
 * all of this with a mocked module.
 */
import type * as Electron from 'electron';
import { join } from 'node:path';
import { EVENTS, type MenuCommand } from '../api.ts';
import { RenderPool } from '../render/pool.ts';
import { StudioService } from '../studio/studio-service.ts';
import { DesktopStudio } from './desktop-studio.ts';
import { EmbeddedServer } from './embedded-server.ts';
import { registerIpc } from './ipc.ts';
import { menuTemplate } from './menu.ts';
import { SettingsStore } from './settings.ts';
import { createMainWindow, restoreBounds } from './window.ts';

export type ElectronModule = Pick<typeof Electron, 'app' | 'BrowserWindow' | 'ipcMain' | 'session' | 'dialog' | 'Menu' | 'shell' | 'screen'>;

export interface AppHandle {
  studio: DesktopStudio;
  server: EmbeddedServer;
  pool: RenderPool;
  window: () => Electron.BrowserWindow | null;
}

/** External links open in the browser only for the local server's own pages. */
export function isAllowedExternal(url: string, serverUrl: string | null): boolean {
  try {
    const u = new URL(url);
    return serverUrl !== null && u.origin === new URL(serverUrl).origin && (u.protocol === 'http:');
  } catch {
    return false;
  }
}

export function startApp(electron: ElectronModule, opts: { outDir: string; devServerUrl?: string; version?: string }): Promise<AppHandle> | null {
  const { app, BrowserWindow, ipcMain, session, dialog, Menu, shell, screen } = electron;
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }
  let win: Electron.BrowserWindow | null = null;
  let handle: AppHandle | null = null;
  let quitting = false;

  app.on('second-instance', () => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });

  // Belt and braces for every web contents, not only the main window.
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (ev) => ev.preventDefault());
    contents.on('will-attach-webview', (ev) => ev.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (handle && isAllowedExternal(url, handle.server.status().url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  // Stop the server and the workers before the process goes.
  app.on('before-quit', (e) => {
    if (quitting || !handle) return;
    e.preventDefault();
    quitting = true;
    const h = handle;
    void h.server
      .stop()
      .then(() => h.pool.close())
      .finally(() => app.quit());
  });

  return app.whenReady().then(async () => {
    // The studio needs no camera, notifications or any other permission.
    session.defaultSession.setPermissionRequestHandler((_wc, _perm, done) => done(false));
    const userData = app.getPath('userData');
    const settings = new SettingsStore(userData);
    const pool = new RenderPool();
    const fontsDir = join(userData, 'fonts');
    const service = new StudioService(pool, fontsDir);
    const server = new EmbeddedServer(pool, settings.settings.port, { service, store: settings.settings.store });
    const send = (channel: string, payload: unknown) => {
      if (win && !win.isDestroyed()) win.webContents.send(channel, payload);
    };
    const dialogs = {
      openFile: async (o: { title: string; filters: { name: string; extensions: string[] }[] }) => {
        const r = await dialog.showOpenDialog(win!, { title: o.title, filters: o.filters, properties: ['openFile'] });
        return r.canceled ? null : (r.filePaths[0] ?? null);
      },
      saveFile: async (o: { title: string; defaultPath: string; filters: { name: string; extensions: string[] }[] }) => {
        const r = await dialog.showSaveDialog(win!, o);
        return r.canceled ? null : (r.filePath ?? null);
      },
      chooseFolder: async (o: { title: string }) => {
        const r = await dialog.showOpenDialog(win!, { title: o.title, properties: ['openDirectory', 'createDirectory'] });
        return r.canceled ? null : (r.filePaths[0] ?? null);
      },
    };
    const studio = new DesktopStudio(service, settings, server, dialogs, userData, () => (win && !win.isDestroyed() ? { setTitle: (t) => win!.setTitle(t), send } : null), opts.version);
    handle = { studio, server, pool, window: () => win };
    registerIpc(ipcMain, studio, opts.devServerUrl);
    server.on('request', (entry) => send(EVENTS.requestLog, entry));

    const buildMenu = () =>
      Menu.setApplicationMenu(
        Menu.buildFromTemplate(
          menuTemplate({
            send: (c: MenuCommand) => send(EVENTS.menuCommand, c),
            recent: settings.settings.recent,
            isMac: process.platform === 'darwin',
            openServerPage: () => {
              const url = server.status().url;
              if (url) void shell.openExternal(`${url}/`);
            },
            clearRecent: () => (settings.update({ recent: [] }), buildMenu()),
          }),
        ),
      );
    settings.onChange = buildMenu;
    buildMenu();

    if (settings.problem) void dialog.showMessageBox({ type: 'warning', message: 'Settings could not be read', detail: `${settings.problem}\n\nThe file was left as it is; Captcha Studio uses its defaults until it is fixed or removed.` });
    if (settings.settings.serverOnStart) await server.start();

    const open = () => {
      const saved = settings.settings.window;
      win = createMainWindow(BrowserWindow, opts.outDir, { devServerUrl: opts.devServerUrl, bounds: restoreBounds(saved, screen.getAllDisplays().map((d) => d.workArea)), maximized: saved?.maximized });
      const w = win;
      w.on('close', (e) => {
        const b = w.getNormalBounds();
        settings.update({ window: { ...b, maximized: w.isMaximized() } });
        if (!studio.dirty) return;
        e.preventDefault();
        void dialog
          .showMessageBox(w, { type: 'question', buttons: ['Cancel', 'Discard Changes'], defaultId: 0, cancelId: 0, message: 'Discard unsaved changes?', detail: 'The design has changes that are not saved to a file. (An autosave copy is kept and offered next time.)' })
          .then((r) => {
            if (r.response === 1) {
              studio.dirty = false;
              w.close();
            }
          });
      });
      w.on('closed', () => (win = null));
    };
    open();
    app.on('activate', () => {
      if (!win) open();
    });
    return handle;
  });
}
