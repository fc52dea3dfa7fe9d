import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // The render pool starts its workers from out/main/render-worker.js (child_process.fork runs it as
      // plain Node in Electron; with isolation: 'thread', a worker thread loads it). Keep it beside index.js.
      // The strength check (src-main/strength/check.ts) forks out/main/strength-worker.js likewise.
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src-main/index.ts'),
          'render-worker': resolve(__dirname, 'src-main/render/worker.ts'),
          'strength-worker': resolve(__dirname, 'src-main/strength/strength-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // Sandboxed preloads must be one CommonJS file with nothing left to require but electron.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'src-main/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src-renderer',
    plugins: [react()],
    build: {
      outDir: 'out/renderer',
      minify: true,
      rollupOptions: { input: { index: resolve(__dirname, 'src-renderer/index.html') } },
    },
  },
});
