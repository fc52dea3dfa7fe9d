/**
 * Preview latency: from an input change in the designer to new pixels on its
 * canvas, in real Chromium against web mode (HTTP instead of IPC, raw RGBA
 * pixels, no PNG), in a 1280x800 window: at 270x40 and 1920x1080, each both
 * fitted to the view (the designer's default: 1920x1080 is rendered at the
 * view's scale) and at 100% (full size).
 *
 *   npm run bench:preview                      # 60 edits per row, writes BENCHMARKS.md
 *   npm run bench:preview -- --base REV        # and the same edits on REV's build, row by row
 *   ROUNDS=8 BENCH_REPORT=0 npm run bench:preview   # a quick check that it runs
 *
 * With --base, REV is checked out in a temporary git worktree (sharing node_modules), its
 * UI built there, and its own `captcha-studio serve` started: each row is measured on
 * this build and then on REV's, back to back, so both see the same machine load. A build
 * without a Fit button (before issue 12) is measured at its only view, 100%.
 *
 * It builds the UI when stale. Everything it measures with lives in this file's page
 * script; the app only fires its `preview-drawn` event (src-renderer/src/preview-drawn.ts),
 * which says when the preview worker put the pixels on the canvas where it did.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { chromium, type Page } from 'playwright-core';
import { PREVIEW_DRAWN, type PreviewDrawnDetail } from '../src-renderer/src/preview-drawn.ts';
import { writeBenchSection } from './report.ts';
import { buildUiIfStale } from '../test/support/build-ui.ts';

/** One drawn preview, as the page script below times it. */
interface Drawn {
  seq: number;
  /** From the last input event in the page (the edit) to the pixels being put on the canvas. */
  fromInput: number;
  /** From the request the app made for it (its effect) to the pixels. */
  fromRequest: number;
  /** The canvas's backing size: the pixels rendered. */
  width: number;
  height: number;
}
interface LatencyLog {
  __drawn: Drawn[];
}

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ROUNDS = Math.max(2, Number(process.env.ROUNDS ?? 60));
const WARMUP = Math.min(5, Math.floor(ROUNDS / 4));
const REPORT = process.env.BENCH_REPORT !== '0';
/** The issue's targets (issue 12, "One-frame previews"). */
const TARGET = { median: 16, p90: 33 };
const CANVAS = 'canvas[data-testid=preview]';

const argv = process.argv.slice(2);
const baseRev = argv.includes('--base') ? argv[argv.indexOf('--base') + 1] : undefined;
const root = join(import.meta.dirname, '..');

/** `captcha-studio serve` from a tree, in its own process (as a user runs it): its URL and how to stop it. */
async function serve(tree: string): Promise<{ url: string; stop(): void }> {
  const child: ChildProcess = spawn(process.execPath, ['src-main/bin/captcha-studio.mjs', 'serve', '--port', '0'], { cwd: tree, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += String(d);
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`the server in ${tree} exited (${code}) before listening`)));
  });
  return { url, stop: () => void child.kill('SIGTERM') };
}

/** REV's server, from its own worktree and build: its URL, and how to stop it and remove the tree. */
async function startBase(rev: string): Promise<{ url: string; label: string; stop(): void }> {
  const label = execFileSync('git', ['rev-parse', '--short', rev], { cwd: root, encoding: 'utf8' }).trim();
  const tree = join(mkdtempSync(join(tmpdir(), 'preview-base-')), label);
  execFileSync('git', ['worktree', 'add', '--detach', tree, rev], { cwd: root, stdio: 'ignore' });
  symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'));
  const pkg = createRequire(import.meta.url).resolve('electron-vite/package.json');
  const bin = join(dirname(pkg), (JSON.parse(readFileSync(pkg, 'utf8')) as { bin: Record<string, string> }).bin['electron-vite']);
  execFileSync(process.execPath, [bin, 'build'], { cwd: tree, stdio: 'ignore' });
  if (!existsSync(join(tree, 'out/renderer/index.html'))) throw new Error(`${rev}: its UI did not build`);
  const server = await serve(tree);
  return {
    url: server.url,
    label,
    stop() {
      server.stop();
      execFileSync('git', ['worktree', 'remove', '--force', tree], { cwd: root, stdio: 'ignore' });
    },
  };
}

// Measures the built UI: built now when missing or older than its sources, as the browser tests do.
buildUiIfStale();
// Both builds' servers run in processes of their own, as `npm run serve` does: a server
// inside this process would share its event loop with the browser driver.
const server = await serve(root);
const { url } = server;
const base = baseRev ? await startBase(baseRev) : undefined;
const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });

async function openPage(at: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  await page.addInitScript((eventName) => {
    const w = window as unknown as LatencyLog & { __lastInput: number };
    const drawn: Drawn[] = (w.__drawn = []);
    w.__lastInput = 0;
    // Capture phase: before the app's own handlers run.
    document.addEventListener('input', () => void (w.__lastInput = performance.now()), true);
    document.addEventListener(eventName, (e) => {
      const now = performance.now();
      const { seq, requestedAt, drawnAt } = (e as CustomEvent<PreviewDrawnDetail>).detail;
      const c = e.target as HTMLCanvasElement;
      drawn.push({ seq, fromInput: (drawnAt ?? now) - w.__lastInput, fromRequest: (drawnAt ?? now) - requestedAt, width: Number(c.dataset.width ?? c.width), height: Number(c.dataset.height ?? c.height) });
      if (drawn.length > 500) drawn.splice(0, drawn.length - 500);
    });
  }, PREVIEW_DRAWN);
  await page.goto(`${at}/studio/`);
  await page.waitForSelector('[data-preset]');
  return page;
}

const seqOf = (p: Page) => p.evaluate((sel) => Number(document.querySelector<HTMLCanvasElement>(sel)?.dataset.seq ?? -1), CANVAS);
const waitPast = (p: Page, seq: number) => p.waitForFunction(([sel, s]) => Number(document.querySelector<HTMLCanvasElement>(sel as string)?.dataset.seq ?? -1) > (s as number), [CANVAS, seq] as const, { timeout: 15_000 });
/** Polls until the canvas has not been redrawn for `quietMs` (a zoom change re-renders once the view has settled). */
async function settle(p: Page, quietMs = 300, deadlineMs = 10_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  let last = await seqOf(p);
  let since = Date.now();
  while (Date.now() < end) {
    await p.waitForTimeout(50);
    const now = await seqOf(p);
    if (now !== last) [last, since] = [now, Date.now()];
    else if (Date.now() - since >= quietMs && now >= 0) return;
  }
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

interface Row {
  rendered: string;
  shown: string;
  median: number;
  p90: number;
  max: number;
  fromRequest: number;
}

/** ROUNDS edits of the height field on `page` with `preset` open at `zoom`; null when that build has no such view. */
async function measure(page: Page, preset: string, h: number, zoom: 'fit' | '100%'): Promise<Row | null> {
  const before = await seqOf(page);
  await page.click(`[data-preset="${preset}"]`);
  const dialog = page.getByRole('alertdialog');
  if (await dialog.isVisible().catch(() => false)) await dialog.getByRole('button', { name: "Don't save" }).click();
  await waitPast(page, before);
  const button = page.getByRole('button', { name: zoom === 'fit' ? 'Fit' : 'Actual size', exact: true });
  if (!(await button.count())) {
    if (zoom === 'fit') return null; // a build from before fit to view: 100% was its only view
  } else if (await button.isEnabled()) await button.click();
  await settle(page);
  const shown = (await page.getByTestId('zoom').innerText().catch(() => '')) || '100%';
  const field = page.getByLabel('Height', { exact: true });
  const samples: Drawn[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    // One change at a time, waiting for its pixels: the latency a user sees per edit.
    const seq = await seqOf(page);
    await field.fill(String(h - ((i + 1) % 2)));
    await waitPast(page, seq);
    samples.push(await page.evaluate(() => (window as unknown as LatencyLog).__drawn.at(-1)!));
  }
  const warm = samples.slice(WARMUP);
  const input = warm.map((s) => s.fromInput);
  return { rendered: `${warm.at(-1)!.width}×${warm.at(-1)!.height}`, shown, median: pct(input, 50), p90: pct(input, 90), max: Math.max(...input), fromRequest: pct(warm.map((s) => s.fromRequest), 50) };
}

const page = await openPage(url);
const basePage = base ? await openPage(base.url) : undefined;
const rows: string[] = [];
let baseHasFit = false;
const cell = (r: Row) => `${r.median.toFixed(1)} ms | ${r.p90.toFixed(1)} ms`;
for (const [preset, w, h] of [
  ['seed-002-captcha', 270, 40],
  ['sunset-background', 1920, 1080],
] as const) {
  for (const zoom of ['fit', '100%'] as const) {
    const r = (await measure(page, preset, h, zoom))!;
    const b = basePage ? await measure(basePage, preset, h, zoom) : undefined;
    if (zoom === 'fit' && b) baseHasFit = true;
    const met = r.median <= TARGET.median && r.p90 <= TARGET.p90 ? 'met' : 'missed';
    const baseCells = base ? ` ${b ? `${b.rendered} | ${cell(b)}` : 'no such view | – | –'} |` : '';
    rows.push(`| ${w}×${h} (${preset}) | ${zoom} (${r.shown}) | ${r.rendered} | ${cell(r)} | ${r.max.toFixed(1)} ms | ${r.fromRequest.toFixed(1)} ms | ${met} |${baseCells}`);
    console.log(rows.at(-1));
  }
}

await browser.close();
server.stop();
base?.stop();

if (REPORT) {
  writeBenchSection(
    'preview',
    'Designer preview latency (input change to new canvas pixels)',
    [
      `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, Debian Chromium via playwright-core (1280×800 window, device pixel ratio 1), web mode over loopback (previews over the preview WebSocket where the build has it, else HTTP), each server a \`captcha-studio serve\` process of its own.`,
      `Command: \`npm run bench:preview${base ? ` -- --base ${base.label}` : ''}\` (${ROUNDS} edits of the height field per row, first ${WARMUP} dropped as warm-up). Time runs from the edit's input event to putImageData of the result: in web mode the preview worker, which owns the canvas, puts the pixels on it and the canvas's \`preview-drawn\` event says when (\`drawnAt\`); a build without the worker is timed at the event. The input event and the event are timed by the benchmark's page script; "from request" starts at the app's preview request instead. "fit" is the designer's default view; at fit a large design is rendered at the view's scale ("rendered" is the canvas's backing size). Target: median ≤ ${TARGET.median} ms and p90 ≤ ${TARGET.p90} ms.`,
      '',
      base
        ? `Each row is measured on this build, then on ${base.label}'s (its own worktree, build and server) right after it.${baseHasFit ? '' : ` ${base.label} has no fit view: its designer opened every design at 100%.`}`
        : '',
      '',
      `| design | zoom | rendered | median | p90 | max | median from request | target |${base ? ` ${base.label}: rendered | ${base.label}: median | ${base.label}: p90 |` : ''}`,
      `| --- | --- | --- | --- | --- | --- | --- | --- |${base ? ' --- | --- | --- |' : ''}`,
      ...rows,
    ].join('\n'),
  );
}
