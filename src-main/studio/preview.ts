/**
 * Live previews, latest wins: each client (a window, a browser tab) has at most
 * one preview rendering and one waiting. A newer request replaces the waiting one,
 * which resolves as superseded at once, so dragging a slider never queues a
 * backlog of stale renders and the newest state is drawn as soon as possible.
 */
import { checkBudget, RENDER_BUDGETS } from '../core/cost.ts';
import { DesignError, fileImageIssues, safeParseDesign, type Design, type DesignIssue } from '../core/design.ts';
import { isSeed, SEED_RULE } from '../core/seed.ts';
import type { PreviewOutcome, PreviewView } from '../api.ts';
import type { RenderPool } from '../render/pool.ts';

interface Waiting {
  design: Design;
  seed: number;
  resolve: (o: PreviewOutcome) => void;
}
interface Slot {
  running: boolean;
  waiting: Waiting | null;
}

const SUPERSEDED: PreviewOutcome = { ok: false, superseded: true, issues: [] };

/** Checks a design and a seed from outside; issues name the field. */
export function checkPreviewInput(input: unknown, seed: unknown, filesAllowed = true): { ok: true; design: Design; seed: number } | { ok: false; issues: DesignIssue[] } {
  const issues: DesignIssue[] = [];
  if (!isSeed(seed)) issues.push({ field: 'seed', rule: SEED_RULE });
  const r = safeParseDesign(input);
  if (!r.ok) issues.push(...r.error.issues);
  else if (!filesAllowed) issues.push(...fileImageIssues(r.design));
  return issues.length || !r.ok ? { ok: false, issues } : { ok: true, design: r.design, seed: seed as number };
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

  preview(client: string, input: unknown, seed: unknown, view?: PreviewView | null): Promise<PreviewOutcome> {
    void view;
    const checked = checkPreviewInput(input, seed, this.filesAllowed);
    if (!checked.ok) return Promise.resolve({ ok: false, issues: checked.issues });
    // Refused before it is queued: an over-budget preview would hold a worker, and this
    // client's next previews behind it, for as long as it ran.
    try {
      checkBudget(checked.design, this.budget, this.budgetOwner, { mode: 'raw' });
    } catch (e) {
      if (e instanceof DesignError) return Promise.resolve({ ok: false, issues: e.issues });
      throw e;
    }
    let slot = this.slots.get(client);
    if (!slot) this.slots.set(client, (slot = { running: false, waiting: null }));
    return new Promise((resolve) => {
      slot.waiting?.resolve(SUPERSEDED);
      slot.waiting = { design: checked.design, seed: checked.seed, resolve };
      if (!slot.running) void this.drain(client, slot);
    });
  }

  private async drain(client: string, slot: Slot): Promise<void> {
    slot.running = true;
    while (slot.waiting) {
      const job = slot.waiting;
      slot.waiting = null;
      job.resolve(await this.render(job.design, job.seed));
    }
    slot.running = false;
    this.slots.delete(client);
  }

  private async render(design: Design, seed: number): Promise<PreviewOutcome> {
    try {
      const out = await this.pool.render(design, { seed, mode: 'raw' });
      return { ok: true, width: out.width, height: out.height, pixels: new Uint8Array(out.bytes.buffer, out.bytes.byteOffset, out.bytes.byteLength), seed: out.seed, answer: out.answer };
    } catch (e) {
      // Render-time checks (a font that is not installed, an unreadable image) name their field too.
      if (e instanceof DesignError) return { ok: false, issues: e.issues };
      return { ok: false, issues: [{ field: '', rule: (e as Error).message }] };
    }
  }
}
