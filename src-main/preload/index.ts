// The preload bridge: exposes exactly one object, window.studio, with one method per
// row of api.ts's table (each an ipcRenderer.invoke on the row's channel) plus the
// two subscriptions. The main process hands down the rows' names as an argument
// (app/window.ts), so this bundle carries no schemas; the main side checks every
// call's arguments against its row. Imports only types from api.ts, and the shared
// names from ipc-channels.ts.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { BatchProgress, MenuCommand, RequestLogEntry, StudioApi, StudioMethod } from '../api.ts';
import { channelOf as channel, EVENTS, METHODS_ARG } from '../ipc-channels.ts';

/** Subscribes to a main -> renderer event; returns the unsubscribe function. */
function on<T>(channel: string, listener: (payload: T) => void): () => void {
  const wrapped = (_e: IpcRendererEvent, payload: T) => listener(payload);
  ipcRenderer.on(channel, wrapped);
  return () => void ipcRenderer.removeListener(channel, wrapped);
}

/** The rows' names, each a plain identifier (anything else is dropped). */
export function methodsFromArgv(argv: readonly string[]): StudioMethod[] {
  const arg = argv.find((a) => a.startsWith(METHODS_ARG)) ?? '';
  return arg
    .slice(METHODS_ARG.length)
    .split(',')
    .filter((m) => /^[a-z][A-Za-z]{0,39}$/.test(m)) as StudioMethod[];
}

let batchSeq = 0;

export function buildApi(methods: readonly StudioMethod[]): StudioApi {
  const invoke = Object.fromEntries(methods.map((m) => [m, (...args: unknown[]) => ipcRenderer.invoke(channel(m), ...args)]));
  return {
    ...invoke,
    // On the wire the progress callback is a batch id; progress comes back as events.
    async exportBatch(design, count, onProgress) {
      const id = `b${Date.now().toString(36)}-${++batchSeq}`;
      const off = on<BatchProgress>(EVENTS.batchProgress, (p) => p.id === id && onProgress(p));
      onProgress({ id, done: 0, total: count });
      try {
        return await ipcRenderer.invoke(channel('exportBatch'), design, count, id);
      } finally {
        off();
      }
    },
    onRequestLog: (listener) => on<RequestLogEntry>(EVENTS.requestLog, listener),
    onMenuCommand: (listener) => on<MenuCommand>(EVENTS.menuCommand, listener),
  } as StudioApi;
}

contextBridge.exposeInMainWorld('studio', buildApi(methodsFromArgv(process.argv)));
