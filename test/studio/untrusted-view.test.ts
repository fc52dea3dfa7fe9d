/**
 * The desktop's local server shares the app's StudioService through its untrusted
 * view: same pool, fonts and caches, but image layers that name a file are refused,
 * as any local process can reach that server.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getPreset } from '../../src-main/core/presets.ts';
import { RenderPool } from '../../src-main/render/pool.ts';
import { StudioService } from '../../src-main/studio/studio-service.ts';
import { PNG } from 'pngjs';

const pool = new RenderPool({ size: 1 });
afterAll(() => pool.close());

const dir = mkdtempSync(join(tmpdir(), 'studio-view-'));
const picture = join(dir, 'secret.png');
const png = new PNG({ width: 4, height: 4 });
png.data.fill(200);
writeFileSync(picture, PNG.sync.write(png));
const withFile = { ...getPreset('seed-000-background')!, width: 16, height: 16, background: [{ type: 'image', src: picture }] };

describe('StudioService.untrustedView', () => {
  const app = new StudioService(pool);
  const view = app.untrustedView();

  it('is one view per service, and a view of a view is itself', () => {
    expect(app.untrustedView()).toBe(view);
    expect(view.untrustedView()).toBe(view);
  });

  it('refuses image layers that name a file, which the app itself renders', async () => {
    expect(await app.thumbnail(withFile)).toMatch(/^data:image\/png;base64,/);
    // The thumbnail the app just cached for this design is not handed out either.
    await expect(view.thumbnail(withFile)).rejects.toMatchObject({ field: 'background.0.src' });
    await expect((async () => view.exportImage(withFile))()).rejects.toMatchObject({ field: 'background.0.src' });
    const preview = await view.preview('web:x', withFile, 1);
    expect(preview).toMatchObject({ ok: false, issues: [{ field: 'background.0.src' }] });
  });

  it("shares the fonts: one imported through the view is the app's, and only the app removes the folder", () => {
    const font = readFileSync(new URL('../../fonts/Humor-Sans.ttf', import.meta.url));
    const f = view.importFont('Humor-Copy.ttf', font);
    expect(existsSync(f.file)).toBe(true);
    expect(app.listFonts().some((x) => x.file === f.file)).toBe(true);
    expect(view.problems).toBe(app.problems);
    view.dispose();
    expect(existsSync(f.file)).toBe(true);
    app.dispose();
    expect(existsSync(f.file)).toBe(false);
  });
});
