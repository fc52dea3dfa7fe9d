/** A recording stand-in for the parts of Electron the main process uses. */
import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';

export class FakeWebContents extends EventEmitter {
  sent: [string, unknown][] = [];
  openHandler?: (d: { url: string }) => { action: string };
  id = 1;
  setWindowOpenHandler(fn: (d: { url: string }) => { action: string }) {
    this.openHandler = fn;
  }
  send(channel: string, payload: unknown) {
    this.sent.push([channel, payload]);
  }
}

/**
 * Electron's security checklist, written out here rather than imported from
 * src-main, so weakening the app's settings cannot weaken the check. Creating a
 * window without every one of these throws, failing whichever test did it.
 */
export const SECURE_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
} as const;

export function insecureOptions(options: any): string[] {
  const prefs = options?.webPreferences ?? {};
  const bad = Object.entries(SECURE_WEB_PREFERENCES)
    .filter(([k, v]) => prefs[k] !== v)
    .map(([k, v]) => `${k} must be ${v}`);
  if (typeof prefs.preload !== 'string' || !prefs.preload) bad.push('preload must be set (the only bridge)');
  return bad;
}

export function fakeElectron(opts: { lock?: boolean; userData?: string } = {}) {
  const windows: FakeWindow[] = [];
  class FakeWindow extends EventEmitter {
    webContents = new FakeWebContents();
    title = '';
    loaded?: string;
    destroyed = false;
    constructor(readonly options: any) {
      super();
      const bad = insecureOptions(options);
      if (bad.length) throw new Error(`insecure BrowserWindow: ${bad.join('; ')}`);
      windows.push(this);
    }
    loadFile(f: string) {
      this.loaded = f;
      return Promise.resolve();
    }
    loadURL(u: string) {
      this.loaded = u;
      return Promise.resolve();
    }
    show() {}
    maximize() {}
    focus() {}
    restore() {}
    isMinimized() {
      return false;
    }
    isMaximized() {
      return false;
    }
    isDestroyed() {
      return this.destroyed;
    }
    setTitle(t: string) {
      this.title = t;
    }
    getNormalBounds() {
      return { x: 10, y: 20, width: 1200, height: 780 };
    }
    /** Like Electron: 'close' can be prevented; otherwise the window goes. */
    close() {
      let prevented = false;
      this.emit('close', { preventDefault: () => (prevented = true) });
      if (!prevented) {
        this.destroyed = true;
        this.emit('closed');
      }
    }
  }
  const app = Object.assign(new EventEmitter(), {
    requestSingleInstanceLock: vi.fn(() => opts.lock ?? true),
    whenReady: () => Promise.resolve(),
    getPath: vi.fn(() => opts.userData ?? mkdtempSync(join(tmpdir(), 'studio-userdata-'))),
    getVersion: () => '0.1.0',
    quitCalls: 0,
    quit() {
      app.quitCalls++;
      let prevented = false;
      app.emit('before-quit', { preventDefault: () => (prevented = true) });
      return prevented;
    },
    exit: vi.fn(),
  });
  const handlers = new Map<string, Function>();
  const electron = {
    app,
    BrowserWindow: FakeWindow as any,
    ipcMain: { handle: (ch: string, fn: Function) => handlers.set(ch, fn) },
    session: { defaultSession: { setPermissionRequestHandler: vi.fn() } },
    dialog: {
      showOpenDialog: vi.fn(async () => ({ canceled: true, filePaths: [] as string[] })),
      showSaveDialog: vi.fn(async () => ({ canceled: true, filePath: undefined as string | undefined })),
      showMessageBox: vi.fn(async () => ({ response: 0 })),
      showErrorBox: vi.fn(),
    },
    Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: vi.fn() },
    shell: { openExternal: vi.fn(async () => {}) },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
  };
  return { electron, windows, handlers, app };
}
