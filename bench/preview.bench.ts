/**
 * Preview latency: from an input change in the designer to new pixels on its
 * canvas, in real Chromium against web mode (HTTP instead of IPC, raw RGBA
 * pixels, no PNG). Run with `npm run bench:preview` (it builds the UI when stale).
 */
import { cpus, totalmem } from 'node:os';
import { chromium } from 'playwright-core';
import { createStudioServer } from '../src-main/server/server.ts';
import { PREVIEW_DRAWN, type PreviewDrawnDetail } from '../src-renderer/src/preview-drawn.ts';
import { writeBenchSection } from './report.ts';
import { buildUiIfStale } from '../test/support/build-ui.ts';

/** What the page script above keeps on the page's window. */
interface LatencyLog {
  __previewLatencies: number[];
}

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ROUNDS = Number(process.env.ROUNDS ?? 60);

// Measures the built UI: built now when missing or older than its sources, as the browser tests do.
buildUiIfStale();
const server = createStudioServer({ port: 0 });
const { url } = await server.start();
const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
// The designer fires PREVIEW_DRAWN on its canvas right after new pixels are put there;
// this page script, not the app, turns that into input-to-pixels latencies.
await page.addInitScript((eventName) => {
  const latencies: number[] = ((window as unknown as LatencyLog).__previewLatencies = []);
  document.addEventListener(eventName, (e) => {
    latencies.push(performance.now() - (e as CustomEvent<PreviewDrawnDetail>).detail.requestedAt);
    if (latencies.length > 500) latencies.splice(0, latencies.length - 500);
  });
}, PREVIEW_DRAWN);
await page.goto(`${url}/studio/`);

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const rows: string[] = [];

for (const [preset, w, h, target] of [
  ['seed-002-captcha', 270, 40, 16],
  ['sunset-background', 1920, 1080, 60],
] as const) {
  await page.click(`[data-preset="${preset}"]`);
  const dialog = page.getByRole('alertdialog');
  if (await dialog.isVisible().catch(() => false)) await dialog.getByRole('button', { name: "Don't save" }).click();
  await page.waitForFunction((cw) => document.querySelector<HTMLCanvasElement>("canvas[data-testid=preview]")?.width === cw, w, { timeout: 10_000 }).catch(async (e) => { console.error(await page.evaluate(() => document.querySelector("canvas")?.width + " " + document.body.innerText.slice(0, 400))); throw e; });
  const field = page.getByLabel('Height', { exact: true });
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    // One change at a time, waiting for its pixels: the latency a user sees per edit.
    const seq = await page.evaluate(() => Number(document.querySelector<HTMLCanvasElement>('canvas[data-testid=preview]')!.dataset.seq));
    await field.fill(String(h - ((i + 1) % 2)));
    await page.waitForFunction((s) => Number(document.querySelector<HTMLCanvasElement>('canvas[data-testid=preview]')!.dataset.seq) > s, seq);
    samples.push(await page.evaluate(() => (window as unknown as LatencyLog).__previewLatencies.at(-1)!));
  }
  const warm = samples.slice(5);
  const median = pct(warm, 50);
  rows.push(`| ${w}×${h} (${preset}) | ${median.toFixed(1)} ms | ${pct(warm, 90).toFixed(1)} ms | ${Math.max(...warm).toFixed(1)} ms | < ${target} ms | ${median < target ? 'met' : 'missed'} |`);
  console.log(rows.at(-1));
}

await browser.close();
await server.stop();

writeBenchSection(
  'preview',
  'Designer preview latency (input change to new canvas pixels)',
  [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, Debian Chromium via playwright-core, web mode over loopback HTTP.`,
    `Command: \`npm run build && npm run bench:preview\` (${ROUNDS} edits of the height field per size, first 5 dropped as warm-up). Time runs from the React effect that sends the edited design to putImageData of the result (the canvas's \`preview-drawn\` event, timed by the benchmark's page script); raw RGBA pixels, no PNG.`,
    '',
    '| size | median | p90 | max | target | |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n'),
);
