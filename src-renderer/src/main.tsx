import { createRoot } from 'react-dom/client';
import type { StudioApi } from '../../src-main/api.ts';
import { App } from './App.tsx';
import './styles.css';
import { createWebApi } from './web-api.ts';

declare global {
  interface Window {
    /** Set by the desktop app's preload; absent in a browser (web mode). */
    studio?: StudioApi;
  }
}

const api = window.studio ?? createWebApi();
createRoot(document.getElementById('root')!).render(<App api={api} />);
