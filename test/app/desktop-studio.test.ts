import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { EVENTS } from '../../src-main/api.ts';
import { getPreset } from '../../src-main/core/presets.ts';
import { decodePng } from '../support/png.ts';
import { desktopHarness } from './harness.ts';

const h = desktopHarness();
afterAll(() => h.close());

describe('desktop files', () => {
  it('saves atomically, remembers the file, and saves again without asking', async () => {
    const path = join(h.userData, 'mine.json');
    h.next.save.push(path);
    const d = { ...getPreset('seed-002-captcha')!, name: 'mine' };
    expect(await h.studio.saveDesign(d)).toEqual({ path, name: 'mine.json' });
    expect(JSON.parse(readFileSync(path, 'utf8')).name).toBe('mine');
    expect((await h.studio.listRecent())[0]).toMatchObject({ path, name: 'mine', width: 270, height: 40, thumbnail: expect.stringMatching(/^data:image\/png/) });
    // Known path: no dialog (none is queued, so a dialog would cancel and return null).
    expect(await h.studio.saveDesign({ ...d, width: 300 }, { path })).toEqual({ path, name: 'mine.json' });
    expect(JSON.parse(readFileSync(path, 'utf8')).width).toBe(300);
    expect(readdirSync(h.userData).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // An unknown path is never written silently: it goes through the dialog (cancelled here).
    expect(await h.studio.saveDesign(d, { path: join(h.userData, 'other.json') })).toBeNull();
    expect(existsSync(join(h.userData, 'other.json'))).toBe(false);
    const opened = await h.studio.openDesign({ path });
    expect(opened).toMatchObject({ path, name: 'mine.json' });
    expect(opened!.design.width).toBe(300);
  });

  it('reports a corrupt, truncated or newer-version file with its path and leaves it untouched', async () => {
    const cases = {
      'corrupt.json': 'not json at all',
      'truncated.json': JSON.stringify(getPreset('classic-captcha')).slice(0, 40),
      'newer.json': JSON.stringify({ ...getPreset('classic-captcha'), version: 7 }),
    };
    const messages = { 'corrupt.json': /is not valid JSON/, 'truncated.json': /truncated or corrupt/, 'newer.json': /version: was written by a newer Captcha Studio/ };
    for (const [name, text] of Object.entries(cases)) {
      const path = join(h.userData, name);
      writeFileSync(path, text);
      h.next.open.push(path);
      await expect(h.studio.openDesign()).rejects.toThrow(new RegExp(`${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: .*${messages[name as keyof typeof messages].source}`));
      expect(readFileSync(path, 'utf8')).toBe(text);
    }
  });

  it('autosaves the open design and restores it; null clears it', async () => {
    h.studio.autosave({ ...getPreset('math-captcha'), name: 'draft' });
    expect(h.studio.restoreAutosave()).toMatchObject({ name: 'autosave', path: null, design: { name: 'draft' } });
    h.studio.autosave(null);
    expect(h.studio.restoreAutosave()).toBeNull();
    // A broken autosave is moved aside (the next autosave would overwrite it) and reported.
    for (const broken of ['{broken', JSON.stringify({ version: 5 })]) {
      writeFileSync(join(h.userData, 'autosave.json'), broken);
      let kept = '';
      try {
        h.studio.restoreAutosave();
      } catch (e) {
        kept = (e as Error).message.split(': ')[0];
        expect((e as Error).message).toMatch(/autosave-broken-\d+-[0-9a-f]{6}\.json: the autosaved design could not be restored: .*(not valid JSON|version: was written by a newer).*kept as it was/);
      }
      expect(readFileSync(kept, 'utf8')).toBe(broken);
      expect(existsSync(join(h.userData, 'autosave.json'))).toBe(false);
      h.studio.autosave({ name: 'next' });
      expect(readFileSync(kept, 'utf8')).toBe(broken);
      h.studio.autosave(null);
    }
  });
});

describe('desktop export', () => {
  it('exports one image that decodes at the design size', async () => {
    const path = join(h.userData, 'one.png');
    h.next.save.push(path);
    const r = await h.studio.exportImage({ ...getPreset('seed-002-captcha'), width: 320 }, 9);
    expect(r).toMatchObject({ path, width: 320, height: 40 });
    const png = decodePng(readFileSync(path));
    expect([png.width, png.height]).toEqual([320, 40]);
  });

  it('exports a batch with progress events and answers.csv', async () => {
    const dir = join(h.userData, 'batch');
    h.next.folder.push(dir);
    h.sent.length = 0;
    const r = await h.studio.exportBatch(getPreset('digits-captcha')!, 20, 'b-test');
    // The batch is one new subfolder of the picked folder, moved in whole; nothing else is left beside it.
    const sub = join(dir, 'digits-captcha-batch');
    expect(r).toEqual({ path: sub, count: 20, cancelled: false });
    expect(readdirSync(dir)).toEqual(['digits-captcha-batch']);
    const files = readdirSync(sub).sort();
    expect(files).toHaveLength(21);
    const rows = readFileSync(join(sub, 'answers.csv'), 'utf8').trim().split('\n');
    expect(rows[0]).toBe('file,answer');
    expect(rows.slice(1).every((row) => /^digits-captcha-\d\d\.png,\d+$/.test(row))).toBe(true);
    const progress = h.sent.filter(([c]) => c === EVENTS.batchProgress).map(([, p]) => (p as { done: number }).done);
    expect(progress.at(-1)).toBe(20);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    // A second batch into the same folder gets its own subfolder; the first is untouched.
    h.next.folder.push(dir);
    const again = await h.studio.exportBatch(getPreset('digits-captcha')!, 2, 'b-test-2');
    expect(again?.path).toBe(join(dir, 'digits-captcha-batch-2'));
    expect(readdirSync(dir).sort()).toEqual(['digits-captcha-batch', 'digits-captcha-batch-2']);
    expect(readdirSync(sub)).toHaveLength(21);
  });

  it('cancels a batch and leaves nothing behind', async () => {
    const dir = join(h.userData, 'cancelled');
    h.next.folder.push(dir);
    const running = h.studio.exportBatch(getPreset('sunset-background')!, 200, 'b-cancel');
    // Cancelled once it is under way: after its first progress event, polled with a deadline.
    const deadline = Date.now() + 30_000;
    while (!h.sent.some(([c, p]) => c === EVENTS.batchProgress && (p as { id: string; done: number }).id === 'b-cancel' && (p as { done: number }).done > 0)) {
      if (Date.now() > deadline) throw new Error('the batch made no progress within 30 s');
      await new Promise((r) => setTimeout(r, 10));
    }
    h.studio.cancelBatch('b-cancel');
    expect(await running).toEqual({ path: dir, count: 0, cancelled: true });
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('desktop server control', () => {
  it('starts, serves the published design, and stops', async () => {
    const st = await h.studio.startServer(0);
    expect(st).toMatchObject({ running: true, controllable: true });
    const design = { ...getPreset('placeholder')!, width: 200, height: 100, name: 'panel test' };
    const pub = h.studio.publishDesign(design);
    expect(pub).toMatchObject({ name: 'panel-test', path: expect.stringMatching(/^\/designs\/panel-test\.png\?v=[0-9a-f]{12}$/), stored: 'memory' });
    const res = await fetch(`${st.url}${pub.path}`);
    expect(res.status).toBe(200);
    const png = decodePng(Buffer.from(await res.arrayBuffer()));
    expect([png.width, png.height]).toEqual([200, 100]);
    expect((await h.studio.stopServer()).running).toBe(false);
    await expect(fetch(`${st.url}/healthz`)).rejects.toThrow();
  });
});

describe('desktop samples', () => {
  it('renders the sample grid in one call: a PNG and the answer per seed, image files allowed', async () => {
    const seeds = [5, 6, 7];
    const { samples } = await h.studio.renderSamples(getPreset('classic-captcha')!, seeds);
    expect(samples.map((s) => s.seed)).toEqual(seeds);
    for (const s of samples) {
      const png = decodePng(Buffer.from(s.image.replace(/^data:image\/png;base64,/, ''), 'base64'));
      expect([png.width, png.height, s.width, s.height]).toEqual([180, 60, 180, 60]);
      expect(s.answer).toMatch(/^\w+$/);
    }
    // The desktop renders designs that name image files (the user's own).
    const tile = join(h.userData, 'tile.png');
    const picture = new PNG({ width: 8, height: 8 });
    picture.data.fill(128);
    writeFileSync(tile, PNG.sync.write(picture));
    const withFile = { ...getPreset('seed-000-background')!, width: 600, height: 300, background: [{ type: 'image' as const, src: tile }] };
    const [one] = (await h.studio.renderSamples(withFile, [1])).samples;
    expect([one.width, one.height, one.answer]).toEqual([270, 135, null]);
  });
});

describe('desktop previews', () => {
  it('renders at the view scale and fills in the design size, glyph boxes and warnings', async () => {
    const base = getPreset('classic-captcha')!;
    const out = await h.studio.renderPreview({ ...base, text: { ...base.text, length: 12 } }, 1, { scale: 0.5 });
    if (!out.ok) throw new Error(JSON.stringify(out.issues));
    expect([out.width, out.height, out.designWidth, out.designHeight, out.scale, out.random]).toEqual([90, 30, 180, 60, 0.5, true]);
    expect(out.glyphs.map((g) => g.char).join('')).toBe(out.answer);
    expect(out.warnings.map((w) => w.field)).toEqual(['text.size']);
    const bad = await h.studio.renderPreview(base, 1, { scale: -1 });
    expect(bad).toEqual({ ok: false, issues: [{ field: 'view.scale', rule: 'must be a number greater than 0' }] });
  });

  it('fits text to the canvas in the render worker', async () => {
    const base = getPreset('seed-002-captcha')!;
    expect(await h.studio.fitText({ ...base, text: { ...base.text, length: 8 } })).toEqual({ changes: [{ path: 'text.position', value: undefined }] });
    expect(await h.studio.fitText(getPreset('classic-captcha')!)).toEqual({ changes: [] });
    await expect(h.studio.fitText({ width: 40, height: 20, text: { mode: 'random', length: 32, size: 12 } })).rejects.toThrow(/text\.length: the text leaves the canvas/);
  });
});
