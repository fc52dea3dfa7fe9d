// The preload bridge: exposes exactly one object, window.studio, one method per action.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENTS, IPC, type BatchProgress, type MenuCommand, type RequestLogEntry, type StudioApi } from '../api.ts';

/** Subscribes to a main -> renderer event; returns the unsubscribe function. */
function on<T>(channel: string, listener: (payload: T) => void): () => void {
  const wrapped = (_e: IpcRendererEvent, payload: T) => listener(payload);
  ipcRenderer.on(channel, wrapped);
  return () => void ipcRenderer.removeListener(channel, wrapped);
}

let batchSeq = 0;

const api: StudioApi = {
  info: () => ipcRenderer.invoke(IPC.info),
  listPresets: () => ipcRenderer.invoke(IPC.listPresets),
  getPreset: (name) => ipcRenderer.invoke(IPC.getPreset, name),
  listFonts: () => ipcRenderer.invoke(IPC.listFonts),
  importFont: (file) => ipcRenderer.invoke(IPC.importFont, file),
  renderPreview: (design, seed) => ipcRenderer.invoke(IPC.renderPreview, design, seed),
  renderThumbnail: (design, seed) => ipcRenderer.invoke(IPC.renderThumbnail, design, seed),
  openDesign: (from) => ipcRenderer.invoke(IPC.openDesign, from),
  saveDesign: (design, opts) => ipcRenderer.invoke(IPC.saveDesign, design, opts),
  listRecent: () => ipcRenderer.invoke(IPC.listRecent),
  autosave: (design) => ipcRenderer.invoke(IPC.autosave, design),
  restoreAutosave: () => ipcRenderer.invoke(IPC.restoreAutosave),
  setDocumentState: (state) => ipcRenderer.invoke(IPC.setDocumentState, state),
  exportImage: (design, seed) => ipcRenderer.invoke(IPC.exportImage, design, seed),
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
  cancelBatch: (id) => ipcRenderer.invoke(IPC.cancelBatch, id),
  serverStatus: () => ipcRenderer.invoke(IPC.serverStatus),
  startServer: (port) => ipcRenderer.invoke(IPC.startServer, port),
  stopServer: () => ipcRenderer.invoke(IPC.stopServer),
  publishDesign: (design) => ipcRenderer.invoke(IPC.publishDesign, design),
  onRequestLog: (listener) => on<RequestLogEntry>(EVENTS.requestLog, listener),
  onMenuCommand: (listener) => on<MenuCommand>(EVENTS.menuCommand, listener),
};

contextBridge.exposeInMainWorld('studio', api);
