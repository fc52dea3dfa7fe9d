/** `captcha-studio strength`: a readable report or JSON, progress on stderr, and refusals that name the option and its limit. */
import { describe, expect, it } from 'vitest';
import { main } from '../../src-main/cli.ts';
import type { StrengthReport } from '../../src-main/strength/report.ts';

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (s) => (out += s), err: (s) => (err += s), isTTY: false });
  return { code, out, err };
}

describe('captcha-studio strength', () => {
  it('prints a readable report on stdout and its progress on stderr', async () => {
    const r = await cli('strength', 'seed-002-captcha', '--samples', '6', '--attacks', 'segmentation');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^strength of seed-002-captcha \(6 fresh captchas each, case ignored/);
    expect(r.out).toContain('blind guess: 60,466,176 answers');
    expect(r.out).toMatch(/segmentation: \d+\.\d% \(95% interval \d+\.\d%-\d+\.\d%\) of answers read right/);
    expect(r.out).toContain('text.position: glyphs leave the canvas');
    expect(r.out).toMatch(/lower bounds/);
    expect(r.out).not.toMatch(/\bocr:/);
    expect(r.err).toContain('segmentation: reading 6 captchas');
  });

  it('prints the report as JSON with --json, scored with case under --case-sensitive', async () => {
    const r = await cli('strength', 'seed-002-captcha', '-n', '4', '--attacks', 'segmentation', '--case-sensitive', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as StrengthReport;
    expect(report).toMatchObject({ design: 'seed-002-captcha', ignoreCase: false, guess: { space: 62 ** 5 } });
    expect(report.attacks.map((a) => [a.attack, a.samples])).toEqual([['segmentation', 4]]);
  });

  it.each([
    [['--samples', '0'], 'error: --samples: must be a whole number from 1 to 2000 (got "0")'],
    [['--samples', '2001'], 'error: --samples: must be a whole number from 1 to 2000 (got "2001")'],
    [['--samples', '1e3'], 'error: --samples: must be a whole number from 1 to 2000 (got "1e3")'],
    [['--attacks', 'ocr,cnn'], 'error: --attacks: must be one or more of ocr, segmentation, comma-separated, each once (got "cnn")'],
    [['--attacks', 'ocr,ocr'], 'error: --attacks: must be one or more of ocr, segmentation, comma-separated, each once'],
  ])('refuses %j naming the option and its limit', async (args, message) => {
    const r = await cli('strength', 'digits-captcha', ...args);
    expect(r.code).toBe(2);
    expect(r.err.split('\n')[0]).toBe(message);
    expect(r.out).toBe('');
  });

  it('refuses a design that is not a captcha, a missing design and an unknown option', async () => {
    expect((await cli('strength', 'sunset-background')).err).toMatch(/^error: design: has no text to read/);
    const none = await cli('strength');
    expect([none.code, none.err.split('\n')[0]]).toEqual([2, 'error: strength: takes one preset name or design file']);
    const unknown = await cli('strength', 'digits-captcha', '--sample', '5');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/--sample/);
  });

  it('has --help, and the main usage lists it', async () => {
    const help = await cli('strength', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('--samples N');
    expect(help.out).toContain('1..2000');
    expect((await cli('--help')).out).toContain('captcha-studio strength <preset|design.json>');
  });
});
