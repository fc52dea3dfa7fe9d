// The preload bridge: exposes exactly one object, window.studio, one method per action.
import { contextBridge, ipcRenderer } from 'electron';
import { IPC, type StudioApi } from '../api.ts';

const api: StudioApi = {
  listPresets: () => ipcRenderer.invoke(IPC.listPresets),
  getPreset: (name) => ipcRenderer.invoke(IPC.getPreset, name),
  renderPreview: (design, seed) => ipcRenderer.invoke(IPC.renderPreview, design, seed),
};

contextBridge.exposeInMainWorld('studio', api);
