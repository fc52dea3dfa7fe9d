/**
 * `captcha-studio strength <preset|design.json>`: the strength check on the command line.
 * Runs in the CLI's own thread (nothing else waits on it); progress on stderr, the report
 * on stdout, readable or as JSON. cli.ts lists it in its usage and dispatches to it.
 */
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { InputError } from '../core/input-error.ts';
import { getPreset } from '../core/presets.ts';
import { ATTACKS as ATTACK_NAMES, DEFAULT_SAMPLES as DEFAULT, MAX_SAMPLES as MAX, MIN_SAMPLES as MIN } from './limits.ts';
import type { AttackName, Rate, StrengthProgress, StrengthReport } from './report.ts';

export const STRENGTH_LINE = '  captcha-studio strength <preset|design.json> [--samples N] [--attacks ocr,segmentation] [--case-sensitive] [--json]';

export const STRENGTH_OPTIONS = `strength options (how easily machines read the design's captchas):
  --samples N         captchas each attack reads, ${MIN}..${MAX} (default ${DEFAULT}; OCR reads about 10 a second)
  --attacks A,B       which attacks: ${ATTACK_NAMES.join(', ')} (default both)
  --case-sensitive    score answers with case, as \`serve --case-sensitive\` does (default: case is ignored)
  --fonts DIR         also load the font files in DIR
  --json              print the report as JSON
`;

export const STRENGTH_USAGE = `usage:\n${STRENGTH_LINE}\n\n${STRENGTH_OPTIONS}`;

export interface StrengthIo {
  out: (s: string) => void;
  err: (s: string) => void;
  isTTY: boolean;
}

function parseSamples(v: string | undefined): number {
  if (v === undefined) return DEFAULT;
  const n = /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < MIN || n > MAX) throw new InputError('--samples', `must be a whole number from ${MIN} to ${MAX} (got "${v}")`);
  return n;
}

function parseAttacks(v: string | undefined): AttackName[] {
  if (v === undefined) return [...ATTACK_NAMES];
  const list = v.split(',').map((a) => a.trim()).filter(Boolean);
  const bad = list.find((a) => !ATTACK_NAMES.includes(a as AttackName));
  if (!list.length || bad !== undefined || new Set(list).size !== list.length) {
    throw new InputError('--attacks', `must be one or more of ${ATTACK_NAMES.join(', ')}, comma-separated, each once${bad !== undefined ? ` (got "${bad}")` : ''}`);
  }
  return list as AttackName[];
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const rate = (r: Rate) => `${pct(r.rate)} (95% interval ${pct(r.low)}-${pct(r.high)})`;

/** The report as a person reads it. */
export function formatReport(r: StrengthReport): string {
  const lines: string[] = [];
  const n = r.attacks[0]?.samples;
  lines.push(`strength of ${r.design}${n ? ` (${n} fresh captchas each, case ${r.ignoreCase ? 'ignored' : 'checked'}, ${(r.ms / 1000).toFixed(1)} s)` : ''}`);
  lines.push(`  blind guess: ${r.guess.text}`);
  for (const a of r.attacks) {
    lines.push(`  ${a.attack}: ${rate(a.full)} of answers read right; ${pct(a.perChar.rate)} of characters (${(a.ms / 1000).toFixed(1)} s)`);
    if (a.solved.length) lines.push(`    read right, e.g.: ${a.solved.slice(0, 4).map((s) => `${JSON.stringify(s.read)} (seed ${s.seed})`).join(', ')}`);
  }
  if (r.rating) {
    const measured = Object.entries(r.rating.attacks).map(([name, x]) => `${name} ${rate(x)}`);
    lines.push(`  measured by bench:strength (${r.rating.measured}; ${r.rating.budget}):`);
    for (const m of measured) lines.push(`    ${m}`);
  } else lines.push('  measured rating: none (only unchanged built-in presets have one)');
  if (r.legibility.length) {
    lines.push('  legibility:');
    for (const i of r.legibility) lines.push(`    ${i.field}: ${i.rule}`);
  } else lines.push('  legibility: no problems found over the checked seeds');
  lines.push(r.caveat);
  return `${lines.join('\n')}\n`;
}

function progressLine(io: StrengthIo): (p: StrengthProgress) => void {
  let stage = '';
  return (p) => {
    if (p.stage !== stage) {
      if (io.isTTY && stage) io.err('\n');
      stage = p.stage;
      if (p.stage === 'done') return;
      const what = p.stage === 'guess' ? 'counting the answers' : p.stage === 'legibility' ? 'checking legibility' : `${p.stage}: reading ${p.total} captchas`;
      io.err(`${what}${io.isTTY ? '' : '\n'}`);
    }
    if (io.isTTY && (p.stage === 'ocr' || p.stage === 'segmentation')) io.err(`\r${p.stage}: reading ${p.total} captchas ${p.done}/${p.total}`);
  };
}

export async function strengthCommand(args: string[], io: StrengthIo): Promise<number> {
  const { values: v, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      samples: { type: 'string', short: 'n' },
      attacks: { type: 'string' },
      'case-sensitive': { type: 'boolean' },
      fonts: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  if (v.help) {
    io.out(STRENGTH_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new InputError('strength', 'takes one preset name or design file');
  const samples = parseSamples(v.samples);
  const attacks = parseAttacks(v.attacks);
  const { fontRegistry } = await import('../core/fonts.ts');
  const fonts = fontRegistry();
  if (v.fonts) for (const f of fonts.addDir(v.fonts).failed) io.err(`warning: skipped font ${f.error}\n`);
  const { loadDesign } = await import('../files/design-files.ts');
  const design = loadDesign(positionals[0]);
  const assetDir = getPreset(positionals[0]) ? undefined : dirname(resolve(positionals[0]));
  const { runStrength } = await import('./check.ts');
  const report = await runStrength(design, { samples, attacks, ignoreCase: !v['case-sensitive'], fonts, assetDir, onProgress: progressLine(io) });
  io.out(v.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return 0;
}
