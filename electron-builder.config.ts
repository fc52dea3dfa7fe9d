// Installers for the desktop app: `npm run dist` (see README, "Installers"). electron-builder
// downloads Electron itself, so this cannot be packaged offline; test/app/installer-config.test.ts
// checks that what it names exists and that the packaged layout finds the fonts.
import type { Configuration } from 'electron-builder';

const config: Configuration = {
  appId: 'dev.captcha-studio.desktop',
  productName: 'Captcha Studio',
  // Made by scripts/make-icon.ts; electron-builder derives the .icns and .ico from it.
  icon: 'build/icon.png',
  // dist/ is git-ignored; the library build (npm run build:lib) owns dist/lib.
  directories: { output: 'dist/installers', buildResources: 'build' },
  // The built bundles (package.json's main is out/main/index.js; the preload, the UI and the render
  // worker sit beside it) and the server's examples page. Presets are bundled into out/main.
  // Production node_modules are added by electron-builder itself, but esbuild (23 MB; the CLI's
  // source mode) and tsx (the scripts) only run the TypeScript sources: the built app never loads them.
  files: ['package.json', 'out/**/*', '!out/**/*.map', 'examples/*.html', '!**/node_modules/{tsx,esbuild,@esbuild}/**'],
  // Skia opens font files by path, and native code cannot see inside app.asar: the fonts ship beside
  // it in resources/fonts, where src-main/core/resources.ts looks first (process.resourcesPath).
  // The audio captcha's spoken clips go there too, so that render workers read plain files alike.
  extraResources: [
    { from: 'fonts', to: 'fonts', filter: ['**/*'] },
    { from: 'audio', to: 'audio', filter: ['**/*'] },
  ],
  asar: true,
  // @napi-rs/canvas and @napi-rs/image (PNG effort 1) load platform .node binaries, which must be real files on disk.
  // Tesseract's worker (the strength check's OCR attack) reads its wasm and English model through fs by path.
  asarUnpack: ['node_modules/@napi-rs/**', 'node_modules/tesseract.js-core/**', 'node_modules/@tesseract.js-data/eng/**'],
  // Both are N-API (ABI-stable across Node and Electron) and ship prebuilt: nothing to rebuild.
  npmRebuild: false,
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Development',
    executableName: 'captcha-studio',
    synopsis: 'Design, preview, serve and export captcha images and backgrounds',
    maintainer: 'Captcha Studio maintainers <captcha-studio@users.noreply.github.com>',
  },
  mac: { target: ['dmg'], category: 'public.app-category.developer-tools' },
  win: { target: ['nsis'] },
  nsis: { oneClick: false, allowToChangeInstallationDirectory: true },
};

export default config;
