// The preload bridge: exposes exactly one object, window.studio, with one method per
// row of api.ts's table (each an ipcRenderer.invoke on the row's channel) plus the
// two subscriptions. The main side checks every call's arguments against the row.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENTS, IPC, STUDIO_METHODS, type BatchProgress, type MenuCommand, type RequestLogEntry, type StudioApi } from '../api.ts';

/** Subscribes to a main -> renderer event; returns the unsubscribe function. */
function on<T>(channel: string, listener: (payload: T) => void): () => void {
  const wrapped = (_e: IpcRendererEvent, payload: T) => listener(payload);
  ipcRenderer.on(channel, wrapped);
  return () => void ipcRenderer.removeListener(channel, wrapped);
}

let batchSeq = 0;

const invoke = Object.fromEntries(STUDIO_METHODS.map((m) => [m, (...args: unknown[]) => ipcRenderer.invoke(IPC[m], ...args)]));

const api = {
  ...invoke,
  // On the wire the progress callback is a batch id; progress comes back as events.
  async exportBatch(design, count, onProgress) {
    const id = `b${Date.now().toString(36)}-${++batchSeq}`;
    const off = on<BatchProgress>(EVENTS.batchProgress, (p) => p.id === id && onProgress(p));
    onProgress({ id, done: 0, total: count });
    try {
      return await ipcRenderer.invoke(IPC.exportBatch, design, count, id);
    } finally {
      off();
    }
  },
  onRequestLog: (listener) => on<RequestLogEntry>(EVENTS.requestLog, listener),
  onMenuCommand: (listener) => on<MenuCommand>(EVENTS.menuCommand, listener),
} as StudioApi;

contextBridge.exposeInMainWorld('studio', api);
