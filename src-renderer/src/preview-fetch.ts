/**
 * A preview over POST /api/studio/preview (web mode's route), decoded into a
 * PreviewOutcome. Used when the preview socket cannot be had, from the page or from the
 * preview worker (preview-worker.ts), which is why it needs nothing of the page.
 */
import type { DesignIssue, PreviewOutcome, PreviewPixels, PreviewView } from '../../src-main/api.ts';

export async function failure(res: Response): Promise<Error> {
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = (await res.json()) as { error?: string };
    if (body.error) message = body.error;
  } catch {
    /* not JSON */
  }
  return new Error(message);
}

export async function fetchPreview(base: string, client: string, design: unknown, seed: number, view?: PreviewView | null): Promise<PreviewOutcome> {
  // reply: outcome: a design with issues comes back as a 200 result, not a 4xx the console would log.
  const res = await fetch(`${base}/api/studio/preview`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ design, seed, view, client, reply: 'outcome' }) });
  if (res.ok && res.headers.get('Content-Type')?.startsWith('application/json')) return (await res.json()) as PreviewOutcome;
  if (res.status === 409) return { ok: false, superseded: true, issues: [] };
  if (res.status === 400) {
    const body = (await res.json()) as { issues?: DesignIssue[]; error: string; field?: string };
    return { ok: false, issues: body.issues ?? [{ field: body.field ?? '', rule: body.error }] };
  }
  if (!res.ok) throw await failure(res);
  const h = res.headers;
  const answer = h.get('X-Answer');
  const width = Number(h.get('X-Width'));
  const height = Number(h.get('X-Height'));
  // The rest of the result (design size, scale, glyph boxes, warnings) rides in one header; a server without it sent full size.
  const metaHeader = h.get('X-Preview');
  const meta: Omit<PreviewPixels, 'ok' | 'width' | 'height' | 'pixels' | 'seed' | 'answer'> = metaHeader
    ? JSON.parse(decodeURIComponent(metaHeader))
    : { designWidth: width, designHeight: height, scale: 1, random: true, glyphs: [], warnings: [] };
  return { ok: true, width, height, seed: Number(h.get('X-Seed')), answer: answer === null ? null : decodeURIComponent(answer), ...meta, pixels: new Uint8Array(await res.arrayBuffer()) };
}
