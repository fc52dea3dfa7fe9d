// Electron main entry: glue only. The lifecycle lives in app/lifecycle.ts, where it is tested with electron mocked.
import * as electron from 'electron';
import { fileURLToPath } from 'node:url';
import { startApp } from './app/lifecycle.ts';

startApp(electron, {
  outDir: fileURLToPath(new URL('.', import.meta.url)),
  devServerUrl: process.env.ELECTRON_RENDERER_URL,
  version: electron.app.getVersion(),
})?.catch((e: Error) => {
  console.error('captcha-studio: could not start:', e);
  electron.dialog.showErrorBox('Captcha Studio could not start', e.message);
  electron.app.exit(1);
});
