/**
 * The sample grid's images: the design at SAMPLE_COUNT seeds, in one renderSamples
 * call. Edits are debounced (a slider drag asks once it rests), at most one call is in
 * flight, edits made meanwhile collapse into one follow-up with the newest design, and
 * an older answer never replaces a newer one.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { DesignInput, Sample, StudioApi } from '../../../src-main/api.ts';

/** Between the 8 and 16: two columns of six 270x40 captchas fit the centre at 1280x800. */
export const SAMPLE_COUNT = 12;
/** How long the design must rest before the samples follow an edit: they cost twelve renders. */
export const SAMPLES_DEBOUNCE_MS = 300;

/** Fresh seeds over the schema's whole seed range (32 bits). */
export function freshSeeds(count = SAMPLE_COUNT): number[] {
  return Array.from(crypto.getRandomValues(new Uint32Array(count)));
}

export interface SamplesState {
  /** The newest set drawn; kept while a newer one renders. */
  samples: Sample[] | null;
  /** Why the newest call failed (e.g. the set is over the render budget); null when it worked. */
  error: string | null;
  busy: boolean;
  /** New random seeds (the "New samples" button). */
  renew(): void;
}

interface Request {
  design: DesignInput;
  seeds: number[];
  seq: number;
}

/** `enabled`: the design is valid and draws something random; otherwise nothing is asked. */
export function useSamples(api: StudioApi, design: DesignInput | null, enabled: boolean): SamplesState {
  const [seeds, setSeeds] = useState(freshSeeds);
  const [state, setState] = useState<Omit<SamplesState, 'renew'>>({ samples: null, error: null, busy: false });
  const queued = useRef<Request | null>(null);
  const inFlight = useRef(false);
  const seq = useRef(0);
  const shown = useRef(0);
  const alive = useRef(true);
  /** What the newest call asked for: the same design and seeds again (valid again after an error) ask nothing. */
  const asked = useRef<{ design: DesignInput; seeds: number[] } | null>(null);

  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  const pump = useCallback(async () => {
    if (inFlight.current) return;
    inFlight.current = true;
    setState((s) => (s.busy ? s : { ...s, busy: true }));
    while (queued.current && alive.current) {
      const req = queued.current;
      queued.current = null;
      try {
        const { samples } = await api.renderSamples(req.design, req.seeds);
        if (!alive.current || req.seq < shown.current) continue;
        shown.current = req.seq;
        setState((s) => ({ ...s, samples, error: null }));
      } catch (e) {
        if (!alive.current || req.seq < shown.current) continue;
        shown.current = req.seq;
        setState((s) => ({ ...s, error: (e as Error).message }));
      }
    }
    inFlight.current = false;
    if (alive.current) setState((s) => (s.busy ? { ...s, busy: false } : s));
  }, [api]);

  useEffect(() => {
    if (!enabled || !design) return;
    const last = asked.current;
    if (last && last.design === design && last.seeds === seeds) return;
    // New seeds (or the first set) are asked for at once; an edited design once it rests.
    const delay = last && last.design !== design ? SAMPLES_DEBOUNCE_MS : 0;
    const t = setTimeout(() => {
      asked.current = { design, seeds };
      queued.current = { design, seeds, seq: ++seq.current };
      void pump();
    }, delay);
    return () => clearTimeout(t);
  }, [design, seeds, enabled, pump]);

  const renew = useCallback(() => setSeeds(freshSeeds()), []);
  return { ...state, renew };
}
