import { describe, expect, it, vi } from 'vitest';
import { createMainWindow, DEFAULT_BOUNDS, restoreBounds, secureWebPreferences } from '../../src-main/app/window.ts';
import { fakeElectron } from './fake-electron.ts';

describe('main window', () => {
  it('is created with every security option of the checklist', () => {
    const { electron, windows } = fakeElectron();
    createMainWindow(electron.BrowserWindow, '/app/out/main');
    const prefs = windows[0].options.webPreferences;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, allowRunningInsecureContent: false, webviewTag: false });
    expect(prefs.preload).toBe('/app/out/preload/index.cjs');
    expect(prefs).toEqual(secureWebPreferences(prefs.preload));
  });

  it('denies navigation and new windows', () => {
    const { electron, windows } = fakeElectron();
    createMainWindow(electron.BrowserWindow, '/app/out/main');
    const prevent = vi.fn();
    windows[0].webContents.emit('will-navigate', { preventDefault: prevent }, 'https://evil.example/');
    expect(prevent).toHaveBeenCalled();
    expect(windows[0].webContents.openHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
  });

  it('loads the bundled page, or the dev server when one is given', () => {
    const a = fakeElectron();
    createMainWindow(a.electron.BrowserWindow, '/app/out/main');
    expect(a.windows[0].loaded).toBe('/app/out/renderer/index.html');
    const b = fakeElectron();
    createMainWindow(b.electron.BrowserWindow, '/app/out/main', { devServerUrl: 'http://localhost:5173/' });
    expect(b.windows[0].loaded).toBe('http://localhost:5173/');
  });

  it('restores saved bounds only when the window would be visible on a display', () => {
    const screen = [{ x: 0, y: 0, width: 1920, height: 1080 }];
    expect(restoreBounds(undefined, screen)).toEqual(DEFAULT_BOUNDS);
    expect(restoreBounds({ x: 100, y: 50, width: 1000, height: 700, maximized: false }, screen)).toEqual({ x: 100, y: 50, width: 1000, height: 700 });
    // On a monitor that was unplugged: keep the size, let the OS place it.
    expect(restoreBounds({ x: 3000, y: 50, width: 1000, height: 700, maximized: false }, screen)).toEqual({ width: 1000, height: 700 });
  });
});
