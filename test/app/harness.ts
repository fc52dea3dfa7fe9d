/** A DesktopStudio wired to real parts (pool, settings, server) and scripted dialogs. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DesktopStudio, type Dialogs } from '../../src-main/app/desktop-studio.ts';
import { EmbeddedServer } from '../../src-main/app/embedded-server.ts';
import { SettingsStore } from '../../src-main/app/settings.ts';
import { RenderPool } from '../../src-main/render/pool.ts';
import { StudioService } from '../../src-main/studio/studio-service.ts';

export function desktopHarness() {
  const userData = mkdtempSync(join(tmpdir(), 'studio-desktop-'));
  const pool = new RenderPool({ size: 1 });
  const service = new StudioService(pool, join(userData, 'fonts'));
  const settings = new SettingsStore(userData);
  const server = new EmbeddedServer(pool, 0, { service });
  const next: { open: (string | null)[]; save: (string | null)[]; folder: (string | null)[] } = { open: [], save: [], folder: [] };
  const dialogs: Dialogs = {
    openFile: async () => next.open.shift() ?? null,
    saveFile: async () => next.save.shift() ?? null,
    chooseFolder: async () => next.folder.shift() ?? null,
  };
  const sent: [string, unknown][] = [];
  const win = { title: '', setTitle: (t: string) => (win.title = t), send: (c: string, p: unknown) => sent.push([c, p]) };
  const studio = new DesktopStudio(service, settings, server, dialogs, userData, () => win, '9.9.9');
  const close = async () => {
    await server.stop();
    await pool.close();
  };
  return { studio, userData, next, sent, win, settings, close };
}
