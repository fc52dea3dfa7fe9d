/**
 * Many samples at once: the design at twelve random seeds with their answers, drawn in
 * one request, so a designer sees the variety a captcha or background will have. A
 * sample picked becomes the main preview's seed. Collapsible; the choice is kept.
 */
import { useEffect, useId, useState, type CSSProperties } from 'react';
import type { DesignInput, StudioApi } from '../../../src-main/api.ts';
import { useSamples } from '../hooks/useSamples.ts';

const OPEN_KEY = 'captcha-studio.samples-open';

function readOpen(): boolean {
  try {
    return localStorage.getItem(OPEN_KEY) !== 'false';
  } catch {
    return true; // storage refused (privacy settings): open, as by default
  }
}

export interface SampleGridProps {
  api: StudioApi;
  design: DesignInput | null;
  /** The design renders without issues (the preview has an image and no errors). */
  valid: boolean;
  /** The design draws something random; false: every seed gives the same image. */
  random: boolean;
  /** The main preview's seed, to mark the sample it shows. */
  seed: number;
  onPick(seed: number): void;
}

export function SampleGrid({ api, design, valid, random, seed, onPick }: SampleGridProps) {
  const [open, setOpen] = useState(readOpen);
  const { samples, error, busy, renew } = useSamples(api, design, open && valid && random);
  const bodyId = useId();
  const headingId = useId();

  useEffect(() => {
    try {
      localStorage.setItem(OPEN_KEY, String(open));
    } catch {
      // not kept: the grid opens by default next time
    }
  }, [open]);

  if (!design) return null;
  // Each cell is as wide as the widest sample, so captchas show at actual size.
  const cell = samples?.length ? Math.max(...samples.map((s) => s.width)) : 0;
  return (
    <section className="samples" aria-labelledby={headingId} aria-busy={busy}>
      <div className="samples-bar">
        <h2 id={headingId}>Samples</h2>
        <button type="button" aria-expanded={open} aria-controls={bodyId} onClick={() => setOpen((o) => !o)}>
          {open ? 'Hide samples' : 'Show samples'}
        </button>
        {open && valid && random && (
          <button type="button" onClick={renew} title="Twelve new random seeds">
            New samples
          </button>
        )}
        {busy && <span className="muted">rendering…</span>}
      </div>
      <div id={bodyId} hidden={!open}>
        {!valid ? (
          <p className="muted">Samples appear when the design has no errors.</p>
        ) : !random ? (
          <p className="muted">This design draws the same image at every seed.</p>
        ) : (
          <>
            {error && (
              <p className="error" role="alert">
                {error}
              </p>
            )}
            {samples && (
              <ul className="sample-grid" style={{ '--sample-cell': `${cell}px` } as CSSProperties}>
                {samples.map((s) => (
                  <li key={s.seed}>
                    <button
                      type="button"
                      className="sample"
                      aria-pressed={s.seed === seed}
                      aria-label={`Sample seed ${s.seed}${s.answer != null ? `, answer ${s.answer}` : ''}`}
                      data-seed={s.seed}
                      onClick={() => onPick(s.seed)}
                    >
                      <span className="sample-image">
                        <img src={s.image} width={s.width} height={s.height} alt="" />
                      </span>
                      {s.answer != null && <span className="mono sample-answer">{s.answer}</span>}
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </div>
    </section>
  );
}
