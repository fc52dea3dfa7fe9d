/**
 * Live preview, latest wins: at most one render is in flight; edits made while it
 * runs collapse into one follow-up request with the newest design. A result older
 * than the one shown is never drawn, and nothing here blocks the UI thread.
 * `scale` asks for the pixels at the size they are shown (device pixels per design
 * pixel); null asks for full size. A new scale is a new request like any edit.
 * `sink`, when the preview canvas has registered one, gets each new image the moment it
 * arrives, before React re-renders the app around it: pixels first, status second.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type RefObject } from 'react';
import type { DesignInput, DesignIssue, PreviewPixels, StudioApi } from '../../../src-main/api.ts';

export interface PreviewState {
  /** The newest good image (kept while the design has errors). */
  image: (PreviewPixels & { seq: number; requestedAt: number }) | null;
  /** Issues of the newest rendered request; empty when it was valid. */
  issues: DesignIssue[];
  /** A failure that is not about the design (server gone, internal error). */
  error: string | null;
  busy: boolean;
}

export type PreviewImage = NonNullable<PreviewState['image']>;
/** Draws an image straight onto the preview canvas (PreviewCanvas registers it). */
export type PreviewSink = (img: PreviewImage) => void;

/** One shared empty list: a valid result must not change the inspector's context (no re-render of every field). */
const NO_ISSUES: DesignIssue[] = [];
const BUSY_AFTER_MS = 150;

/** What usePreview returns: the state, and a way to ask for a design before React renders it. */
export interface Preview extends PreviewState {
  /**
   * Asks for `design` now, from the event that made it, ahead of the re-render that will
   * pass it in: the server renders while React renders the designer. The render after it
   * does not ask again for the same design (by identity), seed and scale.
   */
  request(design: DesignInput, seed: number, scale: number | null): void;
}

export function usePreview(api: StudioApi, design: DesignInput | null, seed: number, scale: number | null = null, sink?: RefObject<PreviewSink | null>): Preview {
  const [state, setState] = useState<PreviewState>({ image: null, issues: NO_ISSUES, error: null, busy: false });
  const queued = useRef<{ design: DesignInput; seed: number; scale: number | null; seq: number; at: number } | null>(null);
  /** The newest design, seed and scale asked for, early or from a render. */
  const asked = useRef<{ api: StudioApi; design: DesignInput; seed: number; scale: number | null } | null>(null);
  const inFlight = useRef(false);
  const seq = useRef(0);
  const shown = useRef(0);
  const alive = useRef(true);
  /** The api and sink of the latest render, for requests made between renders. */
  const deps = useRef({ api, sink });
  useLayoutEffect(() => {
    deps.current = { api, sink };
  }, [api, sink]);

  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  const request = useCallback((design: DesignInput, seed: number, scale: number | null) => {
    asked.current = { api: deps.current.api, design, seed, scale };
    queued.current = { design, seed, scale, seq: ++seq.current, at: performance.now() };
    const pump = async () => {
      if (inFlight.current) return;
      inFlight.current = true;
      // "rendering…" only for slow renders: a state change (a whole re-render of the
      // preview) per request would cost the fast ones a frame, and flicker.
      const slow = setTimeout(() => alive.current && setState((s) => (s.busy ? s : { ...s, busy: true })), BUSY_AFTER_MS);
      while (queued.current && alive.current) {
        const req = queued.current;
        queued.current = null;
        const { api, sink } = deps.current;
        try {
          const out = await api.renderPreview(req.design, req.seed, req.scale === null ? null : { scale: req.scale });
          if (!alive.current || req.seq < shown.current) continue; // stale: a newer one was shown
          if (out.ok) {
            shown.current = req.seq;
            const image: PreviewImage = { ...out, seq: req.seq, requestedAt: req.at };
            // On a loaded 2-core machine the app's re-render and its frame cost more than
            // the render itself: the new pixels go on the canvas now, the rest follows.
            sink?.current?.(image);
            setState((s) => ({ ...s, image, issues: NO_ISSUES, error: null }));
          } else if (!('superseded' in out)) {
            shown.current = req.seq;
            setState((s) => ({ ...s, issues: out.issues, error: null }));
          }
        } catch (e) {
          if (alive.current) setState((s) => ({ ...s, error: (e as Error).message }));
        }
      }
      clearTimeout(slow);
      inFlight.current = false;
      if (alive.current) setState((s) => (s.busy ? { ...s, busy: false } : s));
    };
    void pump();
  }, []);

  useEffect(() => {
    if (!design) return;
    const a = asked.current;
    // Already asked for by the event that made it.
    if (a && a.api === api && a.design === design && a.seed === seed && a.scale === scale) return;
    request(design, seed, scale);
  }, [api, design, seed, scale, sink, request]);

  return useMemo(() => ({ ...state, request }), [state, request]);
}
