/** The native menu, as a plain template (built and tested without Electron). */
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../api.ts';
import type { RecentEntry } from './settings.ts';

export interface MenuContext {
  send(command: MenuCommand): void;
  recent: RecentEntry[];
  isMac: boolean;
  /** Opens the local server's examples page in the browser, when it runs. */
  openServerPage(): void;
  clearRecent(): void;
}

export function menuTemplate(ctx: MenuContext): MenuItemConstructorOptions[] {
  const cmd = (label: string, command: MenuCommand, accelerator?: string): MenuItemConstructorOptions => ({ label, accelerator, click: () => ctx.send(command) });
  const recent: MenuItemConstructorOptions[] = ctx.recent.length
    ? [...ctx.recent.map((r) => ({ label: `${r.name} — ${r.path}`, click: () => ctx.send({ open: r.path }) })), { type: 'separator' as const }, { label: 'Clear Recent', click: () => ctx.clearRecent() }]
    : [{ label: 'No recent designs', enabled: false }];
  return [
    ...(ctx.isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: '&File',
      submenu: [
        cmd('New', 'new', 'CmdOrCtrl+N'),
        cmd('Open…', 'open', 'CmdOrCtrl+O'),
        { label: 'Open Recent', submenu: recent },
        { type: 'separator' },
        cmd('Save', 'save', 'CmdOrCtrl+S'),
        cmd('Save As…', 'save-as', 'CmdOrCtrl+Shift+S'),
        { type: 'separator' },
        cmd('Export PNG…', 'export-png', 'CmdOrCtrl+E'),
        cmd('Export Batch…', 'export-batch', 'CmdOrCtrl+Shift+E'),
        { type: 'separator' },
        ctx.isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    {
      label: '&Edit',
      submenu: [
        // Design undo, not text-field undo: every edit in the inspector is one design change.
        cmd('Undo', 'undo', 'CmdOrCtrl+Z'),
        cmd('Redo', 'redo', 'CmdOrCtrl+Shift+Z'),
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
      ],
    },
    {
      label: '&View',
      submenu: [
        cmd('Zoom In', 'zoom-in', 'CmdOrCtrl+='),
        cmd('Zoom Out', 'zoom-out', 'CmdOrCtrl+-'),
        cmd('Actual Size', 'zoom-actual', 'CmdOrCtrl+0'),
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    {
      label: '&Help',
      submenu: [{ label: 'Server Examples Page', click: () => ctx.openServerPage() }, { role: 'about' }],
    },
  ];
}
