/**
 * The designer in real Chromium (Debian's, via playwright-core) against web mode:
 * the UI the server hosts at /studio/, talking HTTP to the same server.
 */
import { createCanvas } from '@napi-rs/canvas';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPreset } from '../../src-main/core/presets.ts';
import { createStudioServer, type StudioServer } from '../../src-main/server/server.ts';
import { decodePng } from '../support/png.ts';
import { CHROMIUM, noChromium } from './chromium.ts';

const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SHOTS = join(import.meta.dirname, 'screenshots');

let server: StudioServer;
let browser: Browser;
let page: Page;
let base: string;

interface Canvas {
  w: number;
  h: number;
  seq: number;
  /** A cheap fingerprint of all pixels. */
  hash: number;
  corner: number[];
}

/**
 * What the preview canvas shows, decoded from a screenshot of it: in web mode the canvas
 * belongs to the preview worker, so the page cannot read its pixels back. The designs
 * here are shown at 100 % with a device pixel ratio of 1: one canvas pixel per screen pixel.
 */
async function canvas(): Promise<Canvas> {
  const meta = await page.evaluate(() => {
    const c = document.querySelector<HTMLCanvasElement>('canvas[data-testid=preview]')!;
    c.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    const r = c.getBoundingClientRect();
    return { w: Number(c.dataset.width), h: Number(c.dataset.height), seq: Number(c.dataset.seq ?? 0), x: r.x, y: r.y };
  });
  // The canvas is painted snapped to whole pixels; its box may start between two.
  const { x, y, ...rest } = meta;
  const shot = decodePng(await page.screenshot({ clip: { x: Math.round(x), y: Math.round(y), width: meta.w, height: meta.h } }));
  expect([shot.width, shot.height]).toEqual([meta.w, meta.h]);
  const d = shot.data;
  let hash = 0;
  for (let i = 0; i < d.length; i++) hash = (Math.imul(hash, 31) + d[i]) | 0;
  return { ...rest, hash, corner: [d[0], d[1], d[2], d[3]] };
}
/** Waits for a preview newer than `after` (pixels actually redrawn). */
async function nextCanvas(after: Canvas): Promise<Canvas> {
  await page.waitForFunction((seq) => Number(document.querySelector<HTMLCanvasElement>('canvas[data-testid=preview]')?.dataset.seq ?? 0) > seq, after.seq);
  await page.waitForFunction(() => !document.querySelector('.preview-status')?.textContent?.includes('rendering'));
  return canvas();
}

const skipReason = noChromium();
// Said once, plainly: a run without Chromium must not read as if the designer was tested.
if (skipReason) console.warn(skipReason);

describe.skipIf(skipReason)('designer in Chromium (web mode)', () => {
  beforeAll(async () => {
    if (!existsSync(join(import.meta.dirname, '../../out/renderer/index.html'))) throw new Error('the UI is not built: the browser project of vitest.config.ts builds it (test/support/build-ui.ts), or run "npm run build"');
    server = createStudioServer({ port: 0, pool: { size: 2 } });
    base = (await server.start()).url;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true })).newPage();
    mkdirSync(SHOTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('opens /studio/ with presets, a live preview and its answer', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/studio/`);
    await page.click('[data-preset="seed-002-captcha"]');
    await page.waitForSelector('canvas[data-seq]');
    const c = await canvas();
    expect([c.w, c.h]).toEqual([270, 40]);
    expect(await page.textContent('[data-testid=answer]')).toMatch(/^[A-Za-z0-9]{5}$/);
    await page.waitForFunction(() => document.querySelectorAll('.sidebar .thumb img').length >= 10);
    await page.screenshot({ path: join(SHOTS, 'main.png') });
    expect(errors).toEqual([]);
  });

  it('changes width, background colour and font, and the decoded pixels follow', async () => {
    let c = await canvas();
    await page.getByLabel('Width', { exact: true }).fill('320');
    c = await nextCanvas(c);
    expect([c.w, c.h]).toEqual([320, 40]);

    // A solid green layer over the random colour: the corner pixel turns green.
    await page.getByLabel('New layer').selectOption('solid');
    await page.getByRole('button', { name: 'Add layer' }).click();
    c = await nextCanvas(c);
    await page.getByLabel('Colour', { exact: true }).fill('#00ff00');
    c = await nextCanvas(c);
    expect(c.corner).toEqual([0, 255, 0, 255]);

    const beforeFont = c;
    const fonts = page.locator('.fonts input[type=checkbox]');
    await page.getByLabel('DejaVu Serif').check();
    c = await nextCanvas(c);
    await page.getByLabel('Comic Neue', { exact: false }).first().uncheck();
    c = await nextCanvas(c);
    expect(await fonts.count()).toBeGreaterThan(5);
    expect(c.hash).not.toBe(beforeFont.hash);
    expect(c.corner).toEqual([0, 255, 0, 255]);
    await page.screenshot({ path: join(SHOTS, 'edited.png') });
  });

  it('rerolls to a new seed and undoes the last edit', async () => {
    let c = await canvas();
    const seed = await page.textContent('[data-testid=seed]');
    await page.getByRole('button', { name: 'Reroll' }).click();
    c = await nextCanvas(c);
    expect(await page.textContent('[data-testid=seed]')).not.toBe(seed);
    // Undo the font pool change: Comic Neue is back in the pool.
    await page.locator('body').click({ position: { x: 5, y: 790 } });
    await page.keyboard.press('Control+z');
    await nextCanvas(c);
    expect(await page.getByLabel('Comic Neue', { exact: false }).first().isChecked()).toBe(true);
  });

  it('exports a PNG that decodes at the chosen size', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download image' }).click()]);
    const png = decodePng(readFileSync(await download.path()));
    expect([png.width, png.height]).toEqual([320, 40]);
    expect(download.suggestedFilename()).toBe('seed-002-captcha.png');
  });

  it('exports a batch as a zip with progress and answers.csv', async () => {
    await page.getByTestId('batch-count').fill('3000');
    const downloadP = page.waitForEvent('download', { timeout: 60_000 });
    await page.getByRole('button', { name: 'Download batch (zip)' }).click();
    await page.waitForSelector('progress');
    const shown = await page.getAttribute('progress', 'max');
    expect(shown).toBe('3000');
    const zip = readFileSync(await (await downloadP).path());
    // End of central directory: the entry count.
    const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    expect(zip.readUInt16LE(eocd + 10)).toBe(3001);
    expect(zip.includes(Buffer.from('answers.csv'))).toBe(true);
    await page.waitForSelector('text=Exported 3000 images');
  });

  it('shows a bad value inline, naming the field and the rule', async () => {
    const height = page.getByLabel('Height', { exact: true });
    // Text that is not a number never leaves its field: it says so there, and the design keeps its last number.
    await height.fill('abc');
    expect(await height.getAttribute('aria-invalid')).toBe('true');
    // A number the schema refuses goes to the core, which names the field and the rule in the preview bar.
    await height.fill('99999');
    await page.waitForSelector('[data-testid=design-error]');
    expect(await page.textContent('[data-testid=design-error]')).toMatch(/^Height: must be at most \d+/);
    expect(await height.getAttribute('aria-invalid')).toBe('true');
    await page.screenshot({ path: join(SHOTS, 'error.png') });
    await height.fill('40');
    await page.waitForSelector('[data-testid=design-error]', { state: 'detached' });
  });

  it('embeds a chosen image file into an image layer and draws it', async () => {
    let c = await canvas();
    await page.getByLabel('New layer').selectOption('image');
    await page.getByRole('button', { name: 'Add layer' }).click();
    // Web mode never lets the server read a path: the default file name is refused inline.
    await page.waitForSelector('text=must be a data URL here');
    const red = createCanvas(4, 4);
    const g = red.getContext('2d');
    g.fillStyle = '#ff0000';
    g.fillRect(0, 0, 4, 4);
    const file = join(mkdtempSync(join(tmpdir(), 'e2e-image-')), 'red.png');
    writeFileSync(file, red.toBuffer('image/png'));
    await page.getByLabel('Image: choose image').setInputFiles(file);
    c = await nextCanvas(c);
    expect(c.corner).toEqual([255, 0, 0, 255]);
    expect(await page.textContent('.field:has([aria-label="Image: choose image"]) .hint')).toMatch(/embedded image/);
    await page.screenshot({ path: join(SHOTS, 'image-layer.png') });
    await page.keyboard.press('Control+z'); // the file
    await page.keyboard.press('Control+z'); // the layer
    c = await nextCanvas(c);
    expect(c.corner).toEqual([0, 255, 0, 255]);
  });

  it('opens a design file picked in the page through POST /api/studio/openDesign, and names a broken one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'e2e-open-'));
    const good = join(dir, 'wide.json');
    writeFileSync(good, JSON.stringify({ ...getPreset('digits-captcha')!, width: 300, height: 50 }));
    const picker = page.locator('input[type=file][accept=".json,application/json"]');
    const dirty = (await page.locator('[aria-label="unsaved changes"]').count()) > 0;
    const c = await canvas();
    const requested = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/studio/openDesign');
    await picker.setInputFiles(good);
    // The earlier tests' edits are not saved: the page asks first.
    if (dirty) await page.getByRole('button', { name: "Don't save" }).click();
    const request = await requested;
    // The file's bytes travel as base64 inside the generic call's JSON arguments.
    expect(request.method()).toBe('POST');
    expect(request.postDataJSON()).toEqual({ args: [{ name: 'wide.json', bytes: { $bytes: readFileSync(good).toString('base64') } }] });
    expect((await request.response())?.status()).toBe(200);
    const opened = await nextCanvas(c);
    expect([opened.w, opened.h]).toEqual([300, 50]);
    expect(await page.textContent('[data-testid=doc-name]')).toContain('wide.json');

    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"width": 4');
    await picker.setInputFiles(broken);
    await page.waitForSelector('.notice');
    expect(await page.textContent('.notice')).toMatch(/broken\.json: is not valid JSON/);
    // The open design stays as it was.
    expect(await page.textContent('[data-testid=doc-name]')).toContain('wide.json');
    expect((await canvas()).hash).toBe(opened.hash);
    await page.getByRole('button', { name: 'Dismiss' }).click();
  });

  it('logs requests from other pages and follows the dark theme', async () => {
    await fetch(`${base}/background.png?width=10&height=10`);
    await page.waitForSelector('.log td:text("/background.png")');
    await page.emulateMedia({ colorScheme: 'dark' });
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe('rgb(22, 25, 31)');
    await page.screenshot({ path: join(SHOTS, 'dark.png') });
  });
});
