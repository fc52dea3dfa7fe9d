/**
 * The README's screenshots, taken from the real designer in Debian's Chromium (web mode):
 *
 *   npm run screenshots
 *
 * docs/screenshot.png: seed 002's captcha with its samples, 1280x800, light theme.
 * docs/screenshot-background.png: a 1920x1080 background fitted to the same window, dark theme.
 */
import { join } from 'node:path';
import { openStudio, waitForPreview } from '../test/e2e/harness.ts';
import { buildUiIfStale } from '../test/support/build-ui.ts';

const DOCS = join(import.meta.dirname, '../docs');

buildUiIfStale();
for (const shot of [
  { file: 'screenshot.png', preset: 'seed-002-captcha', theme: 'light' as const },
  { file: 'screenshot-background.png', preset: 'sunset-background', theme: 'dark' as const },
]) {
  const s = await openStudio({ colorScheme: shot.theme });
  try {
    await s.page.click(`[data-preset="${shot.preset}"]`);
    await waitForPreview(s.page);
    // The samples grid and the thumbnails fill in after the preview: wait for their images.
    // (A design that draws the same image at every seed shows a note instead of samples.)
    await s.page.waitForFunction(() => (document.querySelectorAll('.sample-grid .sample img').length >= 8 || document.querySelector('.samples p.muted')) && document.querySelector('.samples')?.getAttribute('aria-busy') !== 'true');
    await s.page.waitForFunction(() => document.querySelectorAll('.sidebar .thumb img').length >= 12);
    await s.page.waitForFunction(() => [...document.querySelectorAll('img')].every((i) => i.complete && i.naturalWidth > 0));
    await s.page.screenshot({ path: join(DOCS, shot.file) });
    console.log(`wrote docs/${shot.file}`);
  } finally {
    await s.close();
  }
}
