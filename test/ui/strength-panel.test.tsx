// @vitest-environment jsdom
/**
 * The Strength panel (StrengthPanel, useStrength) against a fake StudioApi: a check
 * starts with the chosen samples and attacks, shows its progress, then the report
 * (odds, rates with intervals, rating or its absence, legibility, caveat, the samples
 * read right drawn by seed from the checked design); an edit marks it out of date;
 * Cancel stops it on the server; a refused start says why.
 */
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DesignInput, StrengthReport, StrengthStatus } from '../../src-main/api.ts';
import { StrengthPanel } from '../../src-renderer/src/components/StrengthPanel.tsx';
import { coreApi } from './core-api.ts';

afterEach(cleanup);

const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const captcha: DesignInput = { name: 'mine', width: 270, height: 40, text: { mode: 'random', length: 4, charset: 'digits' } };

function report(): StrengthReport {
  return {
    design: 'mine',
    guess: { space: 10_000, best: 0.0001, text: '1 in 10,000 (4 digits)' },
    attacks: [
      {
        attack: 'segmentation',
        summary: 'Separates glyphs by colour and matches them against the design fonts.',
        samples: 20,
        full: { hits: 17, total: 20, rate: 0.85, low: 0.64, high: 0.948 },
        perChar: { hits: 78, total: 80, rate: 0.975, low: 0.913, high: 0.993 },
        solved: [
          { seed: 11, answer: '1234', read: '1234' },
          { seed: 12, answer: '5678', read: '5678' },
        ],
        ms: 900,
      },
      {
        attack: 'ocr',
        summary: 'Tesseract with preprocessing.',
        samples: 20,
        full: { hits: 1, total: 20, rate: 0.05, low: 0.009, high: 0.236 },
        perChar: { hits: 30, total: 80, rate: 0.375, low: 0.278, high: 0.483 },
        solved: [{ seed: 12, answer: '5678', read: '5678' }],
        ms: 8000,
      },
    ],
    rating: null,
    legibility: [{ field: 'text.size', rule: 'glyphs 8 px high are smaller than a readable 10 px' }],
    caveat: 'These are lower bounds: a determined attacker with more data and a GPU does better.',
    ignoreCase: true,
    ms: 9000,
  };
}

/** A server side the test steps: start answers an id, polls answer what `next` holds. */
function fakeChecks() {
  let next: StrengthStatus = { id: 'job-1', state: 'running', progress: { stage: 'segmentation', done: 5, total: 20 } };
  const startStrengthCheck = vi.fn(async () => ({ id: 'job-1' }));
  const strengthStatus = vi.fn(async () => next);
  const cancelStrengthCheck = vi.fn(async () => {});
  const renderSamples = vi.fn(async (d: DesignInput, seeds: number[]) => ({ samples: seeds.map((seed) => ({ seed, answer: 'x', image: PNG, width: 270, height: 40 })) }));
  const api = coreApi({ startStrengthCheck, strengthStatus, cancelStrengthCheck, renderSamples });
  return { api, startStrengthCheck, strengthStatus, cancelStrengthCheck, renderSamples, set: (s: StrengthStatus) => (next = s) };
}

const region = () => screen.getByRole('region', { name: 'Strength' });

describe('StrengthPanel', () => {
  it('runs a check with the chosen samples and attacks, shows progress, then the report', async () => {
    const f = fakeChecks();
    render(<StrengthPanel api={f.api} design={captcha} valid />);
    fireEvent.change(screen.getByLabelText('Samples'), { target: { value: '20' } });
    fireEvent.click(screen.getByLabelText('OCR (Tesseract)'));
    fireEvent.click(screen.getByRole('button', { name: 'Check strength' }));
    expect(f.startStrengthCheck).toHaveBeenCalledWith(captcha, expect.objectContaining({ samples: 20, attacks: ['segmentation'] }));
    const client = (f.startStrengthCheck.mock.calls[0] as unknown[])[1] as { client: string };
    expect(client.client).toMatch(/^[0-9a-f]{16}$/);

    const bar = await screen.findByRole('progressbar', { name: 'Strength check progress' });
    await waitFor(() => expect(bar.getAttribute('value')).toBe('5'));
    expect(region().textContent).toContain('Segmentation attack: 5 / 20');

    f.set({ id: 'job-1', state: 'done', progress: { stage: 'done', done: 20, total: 20 }, report: report() });
    const table = await screen.findByRole('table');
    expect(screen.queryByRole('progressbar')).toBeNull();
    const rows = within(table).getAllByRole('row').map((r) => r.textContent);
    expect(rows).toEqual([
      'AttackWhole answers readCharacters read',
      'Segmentation85% (17 of 20; 95%: 64%–95%)98% (78 of 80; 95%: 91%–99%)',
      'OCR (Tesseract)5.0% (1 of 20; 95%: 0.9%–24%)38% (30 of 80; 95%: 28%–48%)',
    ]);
    const text = region().textContent!;
    expect(text).toContain('Blind guess: 1 in 10,000 (4 digits)');
    expect(text).toContain('No measured rating');
    expect(text).toContain('glyphs 8 px high are smaller than a readable 10 px');
    expect(screen.getByTestId('strength-caveat').textContent).toBe(report().caveat);

    // The samples read right: each seed once, drawn from the checked design, with what each attack read.
    await waitFor(() => expect(screen.getAllByRole('img')).toHaveLength(2));
    expect(f.renderSamples).toHaveBeenCalledWith(captcha, [11, 12]);
    const items = screen.getAllByRole('listitem').filter((li) => li.classList.contains('strength-sample'));
    expect(items.map((li) => li.textContent)).toEqual(['answer 1234 · Segmentation read 1234', 'answer 5678 · Segmentation read 5678 · OCR (Tesseract) read 5678']);
    expect(f.strengthStatus).toHaveBeenCalledWith('job-1');
  });

  it("shows bench:strength's measured rating for an unchanged preset, and tiny rates as under 0.1%", async () => {
    const f = fakeChecks();
    const rated = report();
    rated.rating = {
      preset: 'digits-captcha',
      version: '0123456789ab',
      measured: '2026-11-22',
      attacks: { tesseract: { hits: 3, total: 1000, rate: 0.003, low: 0.0006, high: 0.0088 }, 'cnn-positions': { hits: 570, total: 1000, rate: 0.57, low: 0.539, high: 0.6 } },
      budget: '10,000 training images, 3 minutes per model.',
    };
    f.set({ id: 'job-1', state: 'done', progress: { stage: 'done', done: 20, total: 20 }, report: rated });
    render(<StrengthPanel api={f.api} design={captcha} valid />);
    fireEvent.click(screen.getByRole('button', { name: 'Check strength' }));
    const rating = await screen.findByTestId('strength-rating');
    expect(within(rating).getByRole('heading').textContent).toBe('Measured by bench:strength for the preset “digits-captcha”');
    expect(within(rating).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['tesseract: 0.3% (3 of 1000; 95%: <0.1%–0.9%)', 'cnn-positions: 57% (570 of 1000; 95%: 54%–60%)']);
    expect(rating.textContent).toContain('10,000 training images, 3 minutes per model. Measured 2026-11-22.');
    expect(region().textContent).not.toContain('No measured rating');
  });

  it('marks the report out of date when the design changes, and not when the same design comes back', async () => {
    const f = fakeChecks();
    f.set({ id: 'job-1', state: 'done', progress: { stage: 'done', done: 20, total: 20 }, report: report() });
    const view = render(<StrengthPanel api={f.api} design={captcha} valid />);
    fireEvent.click(screen.getByRole('button', { name: 'Check strength' }));
    await screen.findByRole('table');
    expect(screen.queryByTestId('strength-stale')).toBeNull();
    view.rerender(<StrengthPanel api={f.api} design={{ ...captcha, width: 300 }} valid />);
    expect(screen.getByTestId('strength-stale').textContent).toMatch(/changed since this check/);
    // The figures stay, said to be the earlier design's.
    expect(screen.getByRole('table')).toBeTruthy();
    // Undo: equal content in a new object is the checked design again.
    view.rerender(<StrengthPanel api={f.api} design={JSON.parse(JSON.stringify(captcha))} valid />);
    expect(screen.queryByTestId('strength-stale')).toBeNull();
  });

  it('Cancel stops the check on the server and says so', async () => {
    const f = fakeChecks();
    render(<StrengthPanel api={f.api} design={captcha} valid />);
    fireEvent.click(screen.getByRole('button', { name: 'Check strength' }));
    await screen.findByRole('progressbar');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel strength check' }));
    expect(f.cancelStrengthCheck).toHaveBeenCalledWith('job-1');
    expect(screen.queryByRole('progressbar')).toBeNull();
    expect(screen.getByTestId('strength-state').textContent).toBe('The strength check was cancelled.');
    // No more polls for it.
    const polls = f.strengthStatus.mock.calls.length;
    await act(() => new Promise((r) => setTimeout(r, 600)));
    expect(f.strengthStatus.mock.calls.length).toBe(polls);
  });

  it('a refused start says why; a failed check says why', async () => {
    const f = fakeChecks();
    f.startStrengthCheck.mockRejectedValueOnce(new Error('busy: 2 strength checks are already running on this machine; retry when one finishes'));
    render(<StrengthPanel api={f.api} design={captcha} valid />);
    fireEvent.click(screen.getByRole('button', { name: 'Check strength' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/^busy: 2 strength checks/);
    f.set({ id: 'job-1', state: 'failed', progress: { stage: 'ocr', done: 3, total: 200 }, error: 'the strength check failed: worker exited' });
    fireEvent.click(screen.getByRole('button', { name: 'Check strength' }));
    await waitFor(() => expect(screen.getByTestId('strength-state').textContent).toBe('The strength check failed: the strength check failed: worker exited'));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('refuses samples outside 20..1000 and needs an attack; a design without text has no check', () => {
    const f = fakeChecks();
    const view = render(<StrengthPanel api={f.api} design={captcha} valid />);
    const button = screen.getByRole('button', { name: 'Check strength' }) as HTMLButtonElement;
    fireEvent.change(screen.getByLabelText('Samples'), { target: { value: '19' } });
    expect(button.disabled).toBe(true);
    expect(screen.getByRole('alert').textContent).toBe('Samples: must be a whole number from 20 to 1000');
    fireEvent.change(screen.getByLabelText('Samples'), { target: { value: '1000' } });
    expect(button.disabled).toBe(false);
    fireEvent.click(screen.getByLabelText('OCR (Tesseract)'));
    fireEvent.click(screen.getByLabelText('Segmentation (knows the design)'));
    expect(button.disabled).toBe(true);
    view.rerender(<StrengthPanel api={f.api} design={{ name: 'bg', width: 100, height: 100 }} valid />);
    expect(screen.queryByRole('button', { name: 'Check strength' })).toBeNull();
    expect(region().textContent).toMatch(/this design has no text to read/);
    expect(f.startStrengthCheck).not.toHaveBeenCalled();
  });
});
