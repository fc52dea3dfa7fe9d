/**
 * Live previews, latest wins: each client (a window, a browser tab) has at most
 * one preview rendering and one waiting. A newer request replaces the waiting one,
 * which resolves as superseded at once, so dragging a slider never queues a
 * backlog of stale renders and the newest state is drawn as soon as possible.
 */
import { checkBudget, RENDER_BUDGETS } from '../core/cost.ts';
import { DesignError, fileImageIssues, safeParseDesign, usesRandomness, type Design, type DesignIssue } from '../core/design.ts';
import { deviceSize } from '../core/limits.ts';
import { isSeed, SEED_RULE } from '../core/seed.ts';
import type { PreviewOutcome, PreviewPixels, PreviewView } from '../api.ts';
import type { RenderPool } from '../render/pool.ts';

interface Waiting {
  design: Design;
  seed: number;
  /** Device pixels per design pixel to render at (already clamped). */
  scale: number;
  /** Sent as a PNG (large, and the caller decodes PNGs). */
  png: boolean;
  resolve: (o: PreviewOutcome) => void;
}
interface Slot {
  running: boolean;
  waiting: Waiting | null;
}

const SUPERSEDED: PreviewOutcome = { ok: false, superseded: true, issues: [] };

/**
 * A caller that accepts PNG gets one from this many raw bytes up (256 KB, about 256x256).
 * Measured: a 270x40 captcha (43 KB raw) reaches the page in about 3 ms over the socket, so
 * packing it would only add work; 900 KB raw (1920x1080 fitted) cost Chromium about 8 ms
 * more to receive than a Node client, against about 1-2 ms each to encode and decode the
 * PNG. The threshold between the two is a judgement, not a measured crossover.
 */
export const PNG_PREVIEW_FROM_BYTES = 256 * 1024;

export const VIEW_SCALE_RULE = 'must be a number greater than 0';

export function isViewScale(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0;
}

/** A view from outside (HTTP sends anything): null or undefined for full size, else `{scale}` with a number greater than 0. */
export function checkView(view: unknown): DesignIssue | null {
  if (view === null || view === undefined) return null;
  if (typeof view !== 'object' || Array.isArray(view)) return { field: 'view', rule: 'must be a view {scale}' };
  return isViewScale((view as { scale?: unknown }).scale) ? null : { field: 'view.scale', rule: VIEW_SCALE_RULE };
}

/**
 * The scale a preview shown at `viewScale` is rendered at: never more than the
 * design's own scale (nothing to gain), never so little that a side is under one pixel.
 */
export function previewScale(design: Design, viewScale: number): number {
  return Math.min(design.scale, Math.max(viewScale, 1 / Math.min(design.width, design.height)));
}

/** Checks a design and a seed from outside; issues name the field. */
export function checkPreviewInput(input: unknown, seed: unknown, filesAllowed = true): { ok: true; design: Design; seed: number } | { ok: false; issues: DesignIssue[] } {
  const issues: DesignIssue[] = [];
  if (!isSeed(seed)) issues.push({ field: 'seed', rule: SEED_RULE });
  const r = safeParseDesign(input);
  if (!r.ok) issues.push(...r.error.issues);
  else if (!filesAllowed) issues.push(...fileImageIssues(r.design));
  return issues.length || !r.ok ? { ok: false, issues } : { ok: true, design: r.design, seed: seed as number };
}

/** PreviewPixels without the pixels and what web mode's headers already carry: what the page reads from X-Preview. */
export type PreviewMeta = Pick<PreviewPixels, 'designWidth' | 'designHeight' | 'scale' | 'random' | 'glyphs' | 'warnings'>;

const hundredths = (v: number) => Math.round(v * 100) / 100;

export function previewMeta(p: PreviewPixels): PreviewMeta {
  const glyphs = p.glyphs.map((g) => ({ ...g, x: hundredths(g.x), y: hundredths(g.y), w: hundredths(g.w), h: hundredths(g.h) }));
  return { designWidth: p.designWidth, designHeight: p.designHeight, scale: p.scale, random: p.random, glyphs, warnings: p.warnings };
}

export class PreviewService {
  private readonly slots = new Map<string, Slot>();

  constructor(
    private readonly pool: RenderPool,
    /** False for designs from HTTP: image layers must then be data URLs. */
    private readonly filesAllowed = true,
    /** Pixel operations one preview may cost (core/cost.ts), and who sets that limit, for the message. */
    private readonly budget: number = RENDER_BUDGETS.preview,
    private readonly budgetOwner = 'this route',
  ) {}

  /**
   * `view`: how the preview is shown (device pixels per design pixel); it is rendered
   * at that size, never larger than the design itself. Without one, at full size.
   */
  preview(client: string, input: unknown, seed: unknown, view?: PreviewView | null, opts: { acceptPng?: boolean } = {}): Promise<PreviewOutcome> {
    const checked = checkPreviewInput(input, seed, this.filesAllowed);
    const viewIssue = checkView(view);
    if (!checked.ok || viewIssue) return Promise.resolve({ ok: false, issues: [...(checked.ok ? [] : checked.issues), ...(viewIssue ? [viewIssue] : [])] });
    const scale = view ? previewScale(checked.design, view.scale) : checked.design.scale;
    const device = deviceSize(checked.design.width, checked.design.height, scale);
    const png = opts.acceptPng === true && device.width * device.height * 4 >= PNG_PREVIEW_FROM_BYTES;
    // Refused before it is queued: an over-budget preview would hold a worker, and this
    // client's next previews behind it, for as long as it ran. Counted at the size rendered,
    // with the PNG encoding when it is packed as one.
    try {
      checkBudget(checked.design, this.budget, this.budgetOwner, { mode: 'raw', scale, pack: png ? 'png' : undefined });
    } catch (e) {
      if (e instanceof DesignError) return Promise.resolve({ ok: false, issues: e.issues });
      throw e;
    }
    let slot = this.slots.get(client);
    if (!slot) this.slots.set(client, (slot = { running: false, waiting: null }));
    return new Promise((resolve) => {
      slot.waiting?.resolve(SUPERSEDED);
      slot.waiting = { design: checked.design, seed: checked.seed, scale, png, resolve };
      if (!slot.running) void this.drain(client, slot);
    });
  }

  private async drain(client: string, slot: Slot): Promise<void> {
    slot.running = true;
    while (slot.waiting) {
      const job = slot.waiting;
      slot.waiting = null;
      job.resolve(await this.render(job.design, job.seed, job.scale, job.png));
    }
    slot.running = false;
    this.slots.delete(client);
  }

  private async render(design: Design, seed: number, scale: number, png: boolean): Promise<PreviewOutcome> {
    try {
      const out = await this.pool.render(design, { seed, mode: 'raw', viewScale: scale === design.scale ? undefined : scale, pack: png ? 'png' : undefined });
      return {
        ok: true,
        width: out.width,
        height: out.height,
        pixels: new Uint8Array(out.bytes.buffer, out.bytes.byteOffset, out.bytes.byteLength),
        ...(png ? { encoding: 'png' as const } : {}),
        seed: out.seed,
        answer: out.answer,
        designWidth: design.width,
        designHeight: design.height,
        scale: out.scale ?? scale,
        random: usesRandomness(design),
        glyphs: out.glyphs ?? [],
        warnings: out.warnings ?? [],
      };
    } catch (e) {
      // Render-time checks (a font that is not installed, an unreadable image) name their field too.
      if (e instanceof DesignError) return { ok: false, issues: e.issues };
      return { ok: false, issues: [{ field: '', rule: (e as Error).message }] };
    }
  }
}
