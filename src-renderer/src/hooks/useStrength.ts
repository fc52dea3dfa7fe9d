/**
 * One strength check at a time for the Strength panel: start it on the server (or the
 * desktop's main process), poll its progress until it ends, cancel it. The page has its
 * own client id, so the server keeps one running check for it (a new start cancels the
 * older one there too). The design a check was started for is kept: the panel says so
 * when the design has changed since, instead of passing old figures off as current.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AttackName, DesignInput, StrengthStatus, StudioApi } from '../../../src-main/api.ts';

/** How often a running check is asked for its progress. */
export const STRENGTH_POLL_MS = 250;

/** A random id for this page (getRandomValues works outside secure contexts, e.g. a LAN address). */
function clientId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, '0')).join('');
}

export interface StrengthState {
  /** The newest status of the newest check; null before the first. */
  status: StrengthStatus | null;
  /** The design the newest check was started for. */
  checked: DesignInput | null;
  /** The design has changed since the newest check was started. */
  stale: boolean;
  running: boolean;
  /** Why a start or a poll failed (busy, a bad design, the server gone); null otherwise. */
  error: string | null;
  start(options: { samples: number; attacks: AttackName[] }): void;
  cancel(): void;
}

export function useStrength(api: StudioApi, design: DesignInput | null): StrengthState {
  const [client] = useState(clientId);
  const [status, setStatus] = useState<StrengthStatus | null>(null);
  const [checked, setChecked] = useState<{ design: DesignInput; json: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** Asked to start, no id yet. */
  const [starting, setStarting] = useState(false);
  /** The check this page follows; a poll for any other is dropped. */
  const current = useRef<string | null>(null);
  /** Bumped by every start and cancel, so an older start's late answer is ignored. */
  const generation = useRef(0);

  /** Polls `id` until it ends, or until the page follows another check (or none). */
  const follow = useCallback(
    async (id: string) => {
      while (current.current === id) {
        await new Promise((r) => setTimeout(r, STRENGTH_POLL_MS));
        if (current.current !== id) return;
        try {
          const s = await api.strengthStatus(id);
          if (current.current !== id) return;
          setStatus(s);
          if (s.state !== 'running') current.current = null;
        } catch (e) {
          if (current.current !== id) return;
          current.current = null;
          setError((e as Error).message);
          setStatus((s) => (s && s.id === id ? { ...s, state: 'failed' } : s));
        }
      }
    },
    [api],
  );

  const start = useCallback(
    (options: { samples: number; attacks: AttackName[] }) => {
      if (!design) return;
      const gen = ++generation.current;
      current.current = null;
      setError(null);
      setChecked({ design, json: JSON.stringify(design) });
      setStatus(null);
      setStarting(true);
      api.startStrengthCheck(design, { ...options, client }).then(
        ({ id }) => {
          if (gen !== generation.current) return void api.cancelStrengthCheck(id).catch(() => {});
          setStarting(false);
          current.current = id;
          setStatus({ id, state: 'running', progress: { stage: 'guess', done: 0, total: options.samples } });
          void follow(id);
        },
        (e: Error) => {
          if (gen !== generation.current) return;
          setStarting(false);
          setError(e.message);
          setChecked(null);
        },
      );
    },
    [api, client, design, follow],
  );

  const cancel = useCallback(() => {
    generation.current++;
    const id = current.current;
    current.current = null;
    setStarting(false);
    setStatus((s) => (s && s.state === 'running' ? { ...s, state: 'cancelled' } : s));
    if (id) void api.cancelStrengthCheck(id).catch(() => {});
  }, [api]);

  // Leaving the designer (or its reload in a test) stops the check: no one would read it.
  useEffect(
    () => () => {
      const id = current.current;
      current.current = null;
      if (id) void api.cancelStrengthCheck(id).catch(() => {});
    },
    [api],
  );

  // By content as well as identity: undo back to the checked design, or an edit undone by hand, is the same design.
  const stale = useMemo(() => !!checked && !!design && design !== checked.design && JSON.stringify(design) !== checked.json, [checked, design]);
  const running = starting || status?.state === 'running';
  return { status, checked: checked?.design ?? null, stale, running, error, start, cancel };
}
