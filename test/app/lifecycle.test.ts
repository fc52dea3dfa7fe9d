import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENTS } from '../../src-main/api.ts';
import { isAllowedExternal, startApp } from '../../src-main/app/lifecycle.ts';
import { secureWebPreferences } from '../../src-main/app/window.ts';
import { fakeElectron, insecureOptions, SECURE_WEB_PREFERENCES } from './fake-electron.ts';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

function userDataWith(settings: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'studio-userdata-'));
  writeFileSync(join(dir, 'settings.json'), typeof settings === 'string' ? settings : JSON.stringify(settings));
  return dir;
}

/** Quits, and waits for the app's own second quit once the server and the workers have stopped. */
async function quit(f: ReturnType<typeof fakeElectron>) {
  f.app.quit();
  await once(f.app, 'before-quit', { signal: AbortSignal.timeout(10_000) });
}

/** Polls `ok` until it holds, failing after `ms`. */
async function until(ok: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Waits until the last prompt's answer has been acted on (the app's handler was attached first, so it ran first). */
async function answered(f: ReturnType<typeof fakeElectron>) {
  await (f.electron.dialog.showMessageBox as any).mock.results.at(-1).value;
}

describe('app lifecycle (electron mocked)', () => {
  it('quits at once when another instance holds the lock', () => {
    const f = fakeElectron({ lock: false });
    expect(startApp(f.electron as any, { outDir: '/app/out/main' })).toBeNull();
    expect(f.app.quitCalls).toBe(1);
    expect(f.windows).toHaveLength(0);
  });

  it('starts the server on the settings port with the app and stops it (and the workers) on quit', async () => {
    const port = await freePort();
    const f = fakeElectron({ userData: userDataWith({ port }) });
    const h = (await startApp(f.electron as any, { outDir: '/app/out/main' }))!;
    expect(h.server.status()).toMatchObject({ running: true, port, message: null, controllable: true });
    await (await fetch(`http://127.0.0.1:${port}/studio/`)).arrayBuffer();
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    // The request log reaches the window, without the designer's own traffic (web mode's /studio/).
    const logged = () => f.windows[0].webContents.sent.filter(([ch]) => ch === EVENTS.requestLog).map(([, e]) => (e as { path: string }).path);
    await until(() => logged().includes('/healthz'), 'the request log entry');
    expect(logged()).not.toContain('/studio/');
    await quit(f);
    expect(h.server.status().running).toBe(false);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    await expect(h.pool.render({} as any)).rejects.toThrow(/closed/);
    expect(f.app.quitCalls).toBe(2); // the deferred quit after the server stopped
  });

  it('falls back to a free port when the settings port is taken, and says so', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const f = fakeElectron({ userData: userDataWith({ port }) });
    const h = (await startApp(f.electron as any, { outDir: '/app/out/main' }))!;
    const st = h.server.status();
    expect(st.running).toBe(true);
    expect(st.port).not.toBe(port);
    expect(st.message).toBe(`port ${port} was busy, so the server uses port ${st.port} instead`);
    expect(st.preferredPort).toBe(port);
    await quit(f);
    blocker.close();
  });

  it('creates only secure windows and guards every web contents', async () => {
    const f = fakeElectron({ userData: userDataWith({ port: 0 }) });
    const h = (await startApp(f.electron as any, { outDir: '/app/out/main' }))!;
    for (const w of f.windows) expect(w.options.webPreferences).toEqual(secureWebPreferences(w.options.webPreferences.preload));
    expect(f.electron.session.defaultSession.setPermissionRequestHandler).toHaveBeenCalled();
    const deny = (f.electron.session.defaultSession.setPermissionRequestHandler as any).mock.calls[0][0];
    let granted: boolean | undefined;
    deny(null, 'media', (ok: boolean) => (granted = ok));
    expect(granted).toBe(false);
    // Any other web contents (e.g. a devtools page) gets the same rules.
    const { FakeWebContents } = await import('./fake-electron.ts');
    const wc = new FakeWebContents();
    f.app.emit('web-contents-created', {}, wc);
    let prevented = 0;
    wc.emit('will-navigate', { preventDefault: () => prevented++ });
    wc.emit('will-attach-webview', { preventDefault: () => prevented++ });
    expect(prevented).toBe(2);
    const url = h.server.status().url!;
    expect(wc.openHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(f.electron.shell.openExternal).not.toHaveBeenCalled();
    expect(wc.openHandler!({ url: `${url}/` })).toEqual({ action: 'deny' });
    expect(f.electron.shell.openExternal).toHaveBeenCalledWith(`${url}/`);
    await quit(f);
  });

  it('every window, also one re-created on activate, passes the security checklist guard', async () => {
    const f = fakeElectron({ userData: userDataWith({ port: 0 }) });
    await startApp(f.electron as any, { outDir: '/app/out/main' });
    f.windows[0].close();
    f.app.emit('activate');
    expect(f.windows).toHaveLength(2);
    for (const w of f.windows) expect(insecureOptions(w.options)).toEqual([]);
    // The guard itself: any window missing one option fails whichever test creates it.
    for (const key of Object.keys(SECURE_WEB_PREFERENCES)) {
      const prefs: Record<string, unknown> = { ...SECURE_WEB_PREFERENCES, preload: '/p.cjs' };
      prefs[key] = !prefs[key];
      expect(() => new f.electron.BrowserWindow({ webPreferences: prefs } as any)).toThrow(new RegExp(`insecure BrowserWindow: ${key} must be`));
    }
    expect(() => new f.electron.BrowserWindow({ webPreferences: { ...SECURE_WEB_PREFERENCES } } as any)).toThrow(/preload must be set/);
    await quit(f);
  });

  it('reports a corrupt settings file and never overwrites it', async () => {
    const dir = userDataWith('{"port": 78');
    const f = fakeElectron({ userData: dir });
    const h = (await startApp(f.electron as any, { outDir: '/app/out/main' }))!;
    expect(f.electron.dialog.showMessageBox).toHaveBeenCalledWith(expect.objectContaining({ detail: expect.stringContaining('settings.json: is not valid JSON') }));
    f.windows[0].close(); // saving the window bounds must not touch the broken file
    expect(readFileSync(join(dir, 'settings.json'), 'utf8')).toBe('{"port": 78');
    await h.server.stop();
    await h.pool.close();
  });

  it('remembers the window bounds and asks before closing with unsaved changes', async () => {
    const dir = userDataWith({ port: 0, serverOnStart: false });
    const f = fakeElectron({ userData: dir });
    const h = (await startApp(f.electron as any, { outDir: '/app/out/main' }))!;
    expect(h.server.status().running).toBe(false);
    h.studio.setDocumentState({ title: 'x', dirty: true });
    expect(f.windows[0].title).toBe('• x — Captcha Studio');
    (f.electron.dialog.showMessageBox as any).mockResolvedValueOnce({ response: 0 }); // Cancel
    f.windows[0].close();
    await answered(f);
    expect(f.windows[0].destroyed).toBe(false);
    (f.electron.dialog.showMessageBox as any).mockResolvedValueOnce({ response: 1 }); // Discard
    f.windows[0].close();
    await answered(f);
    expect(f.windows[0].destroyed).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')).window).toEqual({ x: 10, y: 20, width: 1200, height: 780, maximized: false });
    // The next start restores them.
    const g = fakeElectron({ userData: dir });
    const h2 = (await startApp(g.electron as any, { outDir: '/app/out/main' }))!;
    expect(g.windows[0].options).toMatchObject({ x: 10, y: 20, width: 1200, height: 780 });
    await h.pool.close();
    await h2.pool.close();
  });

  it('opens external links only for the local server', () => {
    expect(isAllowedExternal('http://127.0.0.1:7878/designs/x.png', 'http://127.0.0.1:7878')).toBe(true);
    expect(isAllowedExternal('http://127.0.0.1:7879/', 'http://127.0.0.1:7878')).toBe(false);
    expect(isAllowedExternal('https://evil.example/', 'http://127.0.0.1:7878')).toBe(false);
    expect(isAllowedExternal('javascript:alert(1)', 'http://127.0.0.1:7878')).toBe(false);
    expect(isAllowedExternal('http://127.0.0.1:7878/', null)).toBe(false);
  });
});
