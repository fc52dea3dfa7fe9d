/**
 * The preload, with electron mocked: window.studio has one method per row of
 * api.ts's table (handed down by app/window.ts as an argument), each invoking the
 * row's channel, and the bundle-free copies of the channel names agree with api.ts.
 */
import { describe, expect, it, vi } from 'vitest';
import { EVENTS, IPC, STUDIO_METHODS } from '../../src-main/api.ts';
import { METHODS_ARG, secureWebPreferences } from '../../src-main/app/window.ts';

const exposed: Record<string, unknown> = {};
const invoked: unknown[][] = [];
const listeners = new Map<string, Function>();
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
  ipcRenderer: {
    invoke: async (...args: unknown[]) => (invoked.push(args), null),
    on: (ch: string, fn: Function) => listeners.set(ch, fn),
    removeListener: (ch: string) => listeners.delete(ch),
  },
}));

const argv = secureWebPreferences('/x/preload.cjs').additionalArguments!;
process.argv.push(...argv);
const { methodsFromArgv } = await import('../../src-main/preload/index.ts');

describe('preload', () => {
  it('gets every row of the table from the window\'s arguments, and nothing else', () => {
    expect(argv).toEqual([`${METHODS_ARG}${STUDIO_METHODS.join(',')}`]);
    expect(methodsFromArgv(argv)).toEqual(STUDIO_METHODS);
    expect(methodsFromArgv([`${METHODS_ARG}info,__proto__,a b,toString(),x`.replace('x', 'listPresets')])).toEqual(['info', 'listPresets']);
    expect(methodsFromArgv([])).toEqual([]);
  });

  it('exposes one studio object: a method per row on its channel, plus the subscriptions', async () => {
    const api = exposed.studio as Record<string, (...a: unknown[]) => unknown>;
    expect(Object.keys(api).sort()).toEqual([...new Set([...STUDIO_METHODS, 'onRequestLog', 'onMenuCommand'])].sort());
    for (const m of STUDIO_METHODS) {
      if (m === 'exportBatch') continue;
      invoked.length = 0;
      await api[m]('a', 1);
      expect(invoked).toEqual([[IPC[m], 'a', 1]]);
    }
  });

  it('turns a batch progress callback into an id on the wire and events back', async () => {
    const api = exposed.studio as { exportBatch: (d: unknown, n: number, cb: (p: unknown) => void) => Promise<unknown> };
    invoked.length = 0;
    const seen: unknown[] = [];
    const run = api.exportBatch({}, 3, (p) => seen.push(p));
    const [[channel, , count, id]] = invoked as [string, unknown, number, string][];
    expect([channel, count]).toEqual([IPC.exportBatch, 3]);
    listeners.get(EVENTS.batchProgress)!({}, { id, done: 2, total: 3 });
    listeners.get(EVENTS.batchProgress)!({}, { id: 'someone-else', done: 1, total: 9 });
    await run;
    expect(seen).toEqual([{ id, done: 0, total: 3 }, { id, done: 2, total: 3 }]);
    expect(listeners.has(EVENTS.batchProgress)).toBe(false);
  });

  it('subscribes to the event channels api.ts names', () => {
    const api = exposed.studio as { onRequestLog: (l: Function) => () => void; onMenuCommand: (l: Function) => () => void };
    const off = [api.onRequestLog(() => {}), api.onMenuCommand(() => {})];
    expect([...listeners.keys()].sort()).toEqual([EVENTS.menuCommand, EVENTS.requestLog].sort());
    off.forEach((f) => f());
    expect(listeners.size).toBe(0);
  });
});
