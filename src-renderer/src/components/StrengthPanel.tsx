/**
 * How strong is this captcha: a check run on demand (it reads hundreds of samples), with
 * its progress and Cancel, then the report: the odds of a blind guess, what each attack
 * read (whole answers and characters, with 95% intervals), bench:strength's measured
 * rating for an unchanged preset, the legibility warnings, the caveat that these are
 * lower bounds, and the samples the attacks read right, drawn again by seed so the user
 * sees why. A report for an earlier version of the design says so. Collapsible; the
 * choice is kept.
 */
import { useEffect, useId, useState, type CSSProperties, type FormEvent } from 'react';
import type { AttackName, DesignInput, MAX_SAMPLES, MAX_STRENGTH_SAMPLES, MIN_STRENGTH_SAMPLES, Rate, Sample, StrengthProgress, StrengthReport, StudioApi } from '../../../src-main/api.ts';
import { fieldLabel } from '../state/design-path.ts';
import { useStrength } from '../hooks/useStrength.ts';

const OPEN_KEY = 'captcha-studio.strength-open';
const DEFAULT_SAMPLES = 200;
// The UI's own copies of api.ts's limits (it may import types only), typed by them: a changed limit stops this compiling.
const MIN_SAMPLES: typeof MIN_STRENGTH_SAMPLES = 20;
const MAX_CHECK_SAMPLES: typeof MAX_STRENGTH_SAMPLES = 1000;
const MAX_DRAWN: typeof MAX_SAMPLES = 16;

/** The attacks the panel offers, in the order they run. */
const ATTACKS: { name: AttackName; label: string }[] = [
  { name: 'segmentation', label: 'Segmentation (knows the design)' },
  { name: 'ocr', label: 'OCR (Tesseract)' },
];
const ATTACK_NAMES: Record<AttackName, string> = { segmentation: 'Segmentation', ocr: 'OCR (Tesseract)' };

const STAGES: Record<StrengthProgress['stage'], string> = {
  guess: 'Counting the answers',
  legibility: 'Checking legibility',
  ocr: 'OCR attack',
  segmentation: 'Segmentation attack',
  done: 'Done',
};

function readOpen(): boolean {
  try {
    return localStorage.getItem(OPEN_KEY) !== 'false';
  } catch {
    return true;
  }
}

function percent(x: number): string {
  const p = x * 100;
  // A rate above 0 never reads as 0%: one answer in a thousand read is not none.
  if (p > 0 && p < 0.1) return '<0.1%';
  return `${p < 10 && p > 0 ? p.toFixed(1) : Math.round(p)}%`;
}

/** "12% (5 of 40; 95%: 6–26%)" */
function rateText(r: Rate): string {
  return `${percent(r.rate)} (${r.hits} of ${r.total}; 95%: ${percent(r.low)}–${percent(r.high)})`;
}

function samplesRule(value: string): string | null {
  const n = Number(value);
  return /^\d+$/.test(value.trim()) && n >= MIN_SAMPLES && n <= MAX_CHECK_SAMPLES ? null : `Samples: must be a whole number from ${MIN_SAMPLES} to ${MAX_CHECK_SAMPLES}`;
}

export interface StrengthPanelProps {
  api: StudioApi;
  design: DesignInput | null;
  /** The design renders without issues. */
  valid: boolean;
}

export function StrengthPanel({ api, design, valid }: StrengthPanelProps) {
  const [open, setOpen] = useState(readOpen);
  const [samples, setSamples] = useState(String(DEFAULT_SAMPLES));
  const [attacks, setAttacks] = useState<Set<AttackName>>(() => new Set(ATTACKS.map((a) => a.name)));
  const strength = useStrength(api, design);
  const bodyId = useId();
  const headingId = useId();
  const samplesId = useId();

  useEffect(() => {
    try {
      localStorage.setItem(OPEN_KEY, String(open));
    } catch {
      // not kept: the panel opens by default next time
    }
  }, [open]);

  if (!design) return null;
  const captcha = !!design.text;
  const samplesError = samplesRule(samples);
  const canStart = valid && captcha && !samplesError && attacks.size > 0;
  const { status, running } = strength;
  const report = status?.state === 'done' ? status.report : undefined;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!canStart) return;
    strength.start({ samples: Number(samples), attacks: ATTACKS.map((a) => a.name).filter((a) => attacks.has(a)) });
  };
  const toggle = (name: AttackName, on: boolean) =>
    setAttacks((s) => {
      const next = new Set(s);
      if (on) next.add(name);
      else next.delete(name);
      return next;
    });

  return (
    <section className="strength" aria-labelledby={headingId} aria-busy={running}>
      <div className="samples-bar">
        <h2 id={headingId}>Strength</h2>
        <button type="button" aria-expanded={open} aria-controls={bodyId} onClick={() => setOpen((o) => !o)}>
          {open ? 'Hide strength' : 'Show strength'}
        </button>
      </div>
      <div id={bodyId} hidden={!open}>
        {!captcha ? (
          <p className="muted">A strength check measures captchas: this design has no text to read.</p>
        ) : (
          <form className="strength-form" onSubmit={submit}>
            <label htmlFor={samplesId}>Samples</label>
            <input id={samplesId} type="text" inputMode="numeric" size={5} value={samples} onChange={(e) => setSamples(e.target.value)} aria-invalid={!!samplesError} data-testid="strength-samples" />
            <fieldset className="strength-attacks">
              <legend>Attacks</legend>
              {ATTACKS.map((a) => (
                <label key={a.name} className="check">
                  <input type="checkbox" checked={attacks.has(a.name)} onChange={(e) => toggle(a.name, e.target.checked)} data-attack={a.name} /> {a.label}
                </label>
              ))}
            </fieldset>
            <button type="submit" disabled={!canStart}>
              Check strength
            </button>
            {!valid && <span className="muted">The check runs when the design has no errors.</span>}
          </form>
        )}
        {captcha && samplesError && (
          <p className="error" role="alert">
            {samplesError}
          </p>
        )}
        {running && (
          <div className="progress-row" data-testid="strength-progress">
            <progress max={Math.max(1, status?.progress.total ?? 1)} value={status?.progress.done ?? 0} aria-label="Strength check progress" />
            <span>
              {status ? `${STAGES[status.progress.stage]}: ${status.progress.done} / ${status.progress.total}` : 'Starting…'}
            </span>
            <button type="button" onClick={strength.cancel}>
              Cancel strength check
            </button>
          </div>
        )}
        <p role="status" className="strength-status" data-testid="strength-state">
          {status?.state === 'cancelled' ? 'The strength check was cancelled.' : status?.state === 'failed' && !strength.error ? `The strength check failed: ${status.error ?? 'no reason given'}` : ''}
        </p>
        {strength.error && (
          <p className="error" role="alert">
            {strength.error}
          </p>
        )}
        {report && strength.checked && <StrengthReportView api={api} report={report} design={strength.checked} stale={strength.stale} />}
      </div>
    </section>
  );
}

function StrengthReportView({ api, report, design, stale }: { api: StudioApi; report: StrengthReport; design: DesignInput; stale: boolean }) {
  const captionId = useId();
  return (
    <div className="strength-report" data-testid="strength-report">
      {stale && (
        <p className="warning strength-stale" role="status" data-testid="strength-stale">
          ⚠ The design has changed since this check: these figures are for the earlier design. Check strength again for the current one.
        </p>
      )}
      <p>
        <strong>Blind guess:</strong> {report.guess.text}
        {report.ignoreCase ? '; answers are checked ignoring case, as the server does.' : '; answers are checked case-sensitively, as the server does.'}
      </p>
      {report.attacks.length > 0 && (
        <table className="strength-table" aria-describedby={captionId}>
          <caption id={captionId}>What each attack read, over {report.attacks[0].samples} fresh samples</caption>
          <thead>
            <tr>
              <th scope="col">Attack</th>
              <th scope="col">Whole answers read</th>
              <th scope="col">Characters read</th>
            </tr>
          </thead>
          <tbody>
            {report.attacks.map((a) => (
              <tr key={a.attack} data-attack={a.attack}>
                <th scope="row" title={a.summary}>
                  {ATTACK_NAMES[a.attack] ?? a.attack}
                </th>
                <td data-testid={`strength-full-${a.attack}`}>{rateText(a.full)}</td>
                <td>{rateText(a.perChar)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {report.attacks.map((a) => (
        <p key={a.attack} className="muted strength-summary">
          {ATTACK_NAMES[a.attack] ?? a.attack}: {a.summary}
        </p>
      ))}
      {report.rating ? (
        <div className="strength-rating" data-testid="strength-rating">
          <h3>Measured by bench:strength for the preset “{report.rating.preset}”</h3>
          <ul>
            {Object.entries(report.rating.attacks).map(([name, r]) => (
              <li key={name}>
                {name}: {rateText(r)}
              </li>
            ))}
          </ul>
          <p className="muted">
            {report.rating.budget} Measured {report.rating.measured}.
          </p>
        </div>
      ) : (
        <p className="muted">No measured rating: bench:strength measures built-in presets as they ship, and has no figures for this design.</p>
      )}
      <h3>Legibility</h3>
      {report.legibility.length === 0 ? (
        <p>No legibility warnings over the checked samples.</p>
      ) : (
        <ul className="strength-legibility">
          {report.legibility.map((w, i) => (
            <li key={i} className="warning">
              ⚠ {w.field ? `${fieldLabel(w.field)}: ` : ''}
              {w.rule}
            </li>
          ))}
        </ul>
      )}
      <p className="strength-caveat" data-testid="strength-caveat">
        {report.caveat}
      </p>
      <SolvedSamples api={api} report={report} design={design} />
    </div>
  );
}

interface Solved {
  seed: number;
  answer: string;
  reads: { attack: AttackName; read: string }[];
}

/** Every sample some attack read right, each seed once (what each attack read beside it), at most one renderSamples call's worth. */
function solvedOf(report: StrengthReport): Solved[] {
  const bySeed = new Map<number, Solved>();
  for (const a of report.attacks) {
    for (const s of a.solved) {
      let e = bySeed.get(s.seed);
      if (!e) {
        if (bySeed.size >= MAX_DRAWN) continue;
        bySeed.set(s.seed, (e = { seed: s.seed, answer: s.answer, reads: [] }));
      }
      e.reads.push({ attack: a.attack, read: s.read });
    }
  }
  return [...bySeed.values()];
}

function SolvedSamples({ api, report, design }: { api: StudioApi; report: StrengthReport; design: DesignInput }) {
  /** The images of one report (or why they could not be drawn); another report's are not shown. */
  const [drawn, setDrawn] = useState<{ report: StrengthReport; samples: Sample[]; error: string | null } | null>(null);
  const headingId = useId();
  const solved = solvedOf(report);

  useEffect(() => {
    const seeds = solvedOf(report).map((s) => s.seed);
    if (seeds.length === 0) return;
    let live = true;
    // Drawn from the design that was checked, so each image is the one the attacks read.
    api.renderSamples(design, seeds).then(
      (r) => live && setDrawn({ report, samples: r.samples, error: null }),
      (e: Error) => live && setDrawn({ report, samples: [], error: `The samples read right could not be drawn: ${e.message}` }),
    );
    return () => {
      live = false;
    };
  }, [api, design, report]);

  const images = drawn?.report === report ? drawn : null;
  const error = images?.error ?? null;
  const bySeed = new Map((images?.samples ?? []).map((s) => [s.seed, s]));
  const cell = Math.max(0, ...[...bySeed.values()].map((s) => s.width));
  return (
    <section aria-labelledby={headingId} className="strength-solved">
      <h3 id={headingId}>Samples the attacks read right</h3>
      {solved.length === 0 ? (
        <p>None: no attack read a whole answer right.</p>
      ) : (
        <>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          <ul className="sample-grid" style={{ '--sample-cell': `${cell || 160}px` } as CSSProperties}>
            {solved.map((s) => {
              const img = bySeed.get(s.seed);
              return (
                <li key={s.seed} className="sample strength-sample" data-seed={s.seed}>
                  <span className="sample-image">{img && <img src={img.image} width={img.width} height={img.height} alt={`Sample seed ${s.seed}`} />}</span>
                  <span className="sample-answer">
                    answer <span className="mono">{s.answer}</span>
                    {s.reads.map((r) => (
                      <span key={r.attack} className="strength-read">
                        {' '}
                        · {ATTACK_NAMES[r.attack] ?? r.attack} read <span className="mono">{r.read}</span>
                      </span>
                    ))}
                  </span>
                </li>
              );
            })}
          </ul>
        </>
      )}
    </section>
  );
}
