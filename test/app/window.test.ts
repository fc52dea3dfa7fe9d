import { describe, expect, it, vi } from 'vitest';
import { createMainWindow, secureWebPreferences } from '../../src-main/app/window.ts';

/** A stand-in for Electron's BrowserWindow that records what the app asked for. */
function fakeBrowserWindow() {
  const created: { options: any; handlers: Record<string, Function>; openHandler?: Function; loaded?: string }[] = [];
  class FakeWindow {
    record: (typeof created)[number];
    webContents: any;
    constructor(options: any) {
      this.record = { options, handlers: {} };
      created.push(this.record);
      this.webContents = {
        on: (ev: string, fn: Function) => (this.record.handlers[ev] = fn),
        setWindowOpenHandler: (fn: Function) => (this.record.openHandler = fn),
      };
    }
    once() {}
    show() {}
    loadFile(f: string) {
      this.record.loaded = f;
      return Promise.resolve();
    }
    loadURL(u: string) {
      this.record.loaded = u;
      return Promise.resolve();
    }
  }
  return { BrowserWindow: FakeWindow as any, created };
}

describe('main window', () => {
  it('is created with every security option of the checklist', () => {
    const { BrowserWindow, created } = fakeBrowserWindow();
    createMainWindow(BrowserWindow, '/app/out/main');
    const prefs = created[0].options.webPreferences;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, allowRunningInsecureContent: false, webviewTag: false });
    expect(prefs.preload).toBe('/app/out/preload/index.cjs');
    expect(prefs).toEqual(secureWebPreferences(prefs.preload));
  });

  it('denies navigation and new windows', () => {
    const { BrowserWindow, created } = fakeBrowserWindow();
    createMainWindow(BrowserWindow, '/app/out/main');
    const prevent = vi.fn();
    created[0].handlers['will-navigate']({ preventDefault: prevent }, 'https://evil.example/');
    expect(prevent).toHaveBeenCalled();
    expect(created[0].openHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
  });

  it('loads the bundled page, or the dev server when one is given', () => {
    const a = fakeBrowserWindow();
    createMainWindow(a.BrowserWindow, '/app/out/main');
    expect(a.created[0].loaded).toBe('/app/out/renderer/index.html');
    const b = fakeBrowserWindow();
    createMainWindow(b.BrowserWindow, '/app/out/main', 'http://localhost:5173/');
    expect(b.created[0].loaded).toBe('http://localhost:5173/');
  });
});
