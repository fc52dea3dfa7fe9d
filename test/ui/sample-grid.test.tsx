// @vitest-environment jsdom
/**
 * The sample grid (SampleGrid, useSamples) and the seed it hands the preview
 * (usePreviewSeed): one renderSamples call per set, edits debounced and latest wins,
 * picking and new documents change the preview seed.
 */
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DesignInput, Sample, SamplesResult } from '../../src-main/api.ts';
import { SampleGrid } from '../../src-renderer/src/components/SampleGrid.tsx';
import { usePreviewSeed, type PreviewSeed } from '../../src-renderer/src/hooks/usePreviewSeed.ts';
import { SAMPLE_COUNT, SAMPLES_DEBOUNCE_MS } from '../../src-renderer/src/hooks/useSamples.ts';
import { coreApi } from './core-api.ts';

afterEach(cleanup);

const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const sampleOf = (design: DesignInput, seed: number): Sample => ({ seed, answer: `${design.name ?? 'x'}-${seed}`, image: PNG, width: 270, height: 40 });

/** A renderSamples that answers when the test says so. */
function controlled() {
  const calls: { design: DesignInput; seeds: number[]; resolve: (r: SamplesResult) => void; reject: (e: Error) => void }[] = [];
  const renderSamples = vi.fn((design: DesignInput, seeds: number[]) => new Promise<SamplesResult>((resolve, reject) => calls.push({ design, seeds, resolve, reject })));
  const answer = async (i: number) => act(async () => calls[i].resolve({ samples: calls[i].seeds.map((s) => sampleOf(calls[i].design, s)) }));
  return { api: coreApi({ renderSamples }), calls, renderSamples, answer };
}

const names = () => screen.queryAllByRole('button', { name: /^Sample seed / }).map((b) => b.getAttribute('aria-label'));

describe('SampleGrid', () => {
  it('asks once for twelve seeds and shows each sample as a button named by its seed and answer', async () => {
    const { api, calls, answer } = controlled();
    const onPick = vi.fn();
    render(<SampleGrid api={api} design={{ name: 'a' }} valid random seed={0} onPick={onPick} />);
    await waitFor(() => expect(calls).toHaveLength(1));
    expect(calls[0].seeds).toHaveLength(SAMPLE_COUNT);
    expect(new Set(calls[0].seeds).size).toBe(SAMPLE_COUNT);
    await answer(0);
    expect(names()).toEqual(calls[0].seeds.map((s) => `Sample seed ${s}, answer a-${s}`));
    fireEvent.click(screen.getByRole('button', { name: `Sample seed ${calls[0].seeds[3]}, answer a-${calls[0].seeds[3]}` }));
    expect(onPick).toHaveBeenCalledWith(calls[0].seeds[3]);
  });

  it('New samples asks for new seeds at once; an edit waits for the design to rest, and the newest set wins', async () => {
    const { api, calls, answer } = controlled();
    const view = render(<SampleGrid api={api} design={{ name: 'a' }} valid random seed={0} onPick={() => {}} />);
    await waitFor(() => expect(calls).toHaveLength(1));
    await answer(0);
    fireEvent.click(screen.getByRole('button', { name: 'New samples' }));
    await waitFor(() => expect(calls).toHaveLength(2));
    expect(calls[1].seeds.some((s) => calls[0].seeds.includes(s))).toBe(false);
    // Three quick edits while the second set renders: one follow-up, with the last design.
    const started = performance.now();
    for (const name of ['b', 'c', 'd']) view.rerender(<SampleGrid api={api} design={{ name }} valid random seed={0} onPick={() => {}} />);
    await answer(1);
    await waitFor(() => expect(calls).toHaveLength(3));
    expect(performance.now() - started).toBeGreaterThanOrEqual(SAMPLES_DEBOUNCE_MS - 5);
    expect(calls[2].design).toEqual({ name: 'd' });
    await answer(2);
    expect(names()[0]).toBe(`Sample seed ${calls[2].seeds[0]}, answer d-${calls[2].seeds[0]}`);
    expect(calls).toHaveLength(3);
  });

  it('shows a failed set\'s message, asks nothing for an invalid or non-random design, and collapses', async () => {
    const { api, calls } = controlled();
    const view = render(<SampleGrid api={api} design={{ name: 'a' }} valid random seed={0} onPick={() => {}} />);
    await waitFor(() => expect(calls).toHaveLength(1));
    await act(async () => calls[0].reject(new Error('background.0.count: 12 samples of this design cost about 9 G pixel operations to render')));
    expect(screen.getByRole('alert').textContent).toMatch(/^background\.0\.count: 12 samples/);

    view.rerender(<SampleGrid api={api} design={{ name: 'b' }} valid={false} random seed={0} onPick={() => {}} />);
    expect(screen.getByText('Samples appear when the design has no errors.')).toBeTruthy();
    view.rerender(<SampleGrid api={api} design={{ name: 'c' }} valid random={false} seed={0} onPick={() => {}} />);
    expect(screen.getByText('This design draws the same image at every seed.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'New samples' })).toBeNull();

    const toggle = screen.getByRole('button', { name: 'Hide samples' });
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    fireEvent.click(toggle);
    expect(screen.getByRole('button', { name: 'Show samples' }).getAttribute('aria-expanded')).toBe('false');
    // Collapsed, an edit asks nothing, however long it rests.
    vi.useFakeTimers();
    try {
      view.rerender(<SampleGrid api={api} design={{ name: 'd' }} valid random seed={0} onPick={() => {}} />);
      act(() => vi.advanceTimersByTime(SAMPLES_DEBOUNCE_MS * 4));
      expect(calls).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
    fireEvent.click(screen.getByRole('button', { name: 'Show samples' }));
    await waitFor(() => expect(calls).toHaveLength(2));
  });
});

describe('usePreviewSeed', () => {
  function Probe({ design, fresh, edit, out }: { design: DesignInput | null; fresh: boolean; edit: (p: string, v: unknown) => void; out: { s?: PreviewSeed } }) {
    out.s = usePreviewSeed(design, edit, fresh);
    return null;
  }

  it('gives every newly opened design a new random seed, and keeps it through edits', () => {
    const out: { s?: PreviewSeed } = {};
    const edit = vi.fn();
    const classic = { name: 'classic' };
    const view = render(<Probe design={classic} fresh edit={edit} out={out} />);
    const first = out.s!.seed;
    // An edit (the history now has a step) keeps the seed.
    view.rerender(<Probe design={{ name: 'classic', width: 9 }} fresh={false} edit={edit} out={out} />);
    expect(out.s!.seed).toBe(first);
    // Another document opened: fresh, and a design not seen before.
    const seeds = new Set([first]);
    for (const name of ['neon', 'classic', 'neon']) {
      const opened = { name };
      view.rerender(<Probe design={opened} fresh edit={edit} out={out} />);
      expect(seeds.has(out.s!.seed)).toBe(false);
      seeds.add(out.s!.seed);
      // Rendering the same document again keeps its seed.
      view.rerender(<Probe design={opened} fresh edit={edit} out={out} />);
      expect(seeds.has(out.s!.seed) && out.s!.seed).toBe([...seeds].at(-1));
    }
  });

  it('pick shows a given seed; a locked design gets it written as its seed', () => {
    const out: { s?: PreviewSeed } = {};
    const edit = vi.fn();
    const design = { name: 'a' };
    const view = render(<Probe design={design} fresh edit={edit} out={out} />);
    act(() => out.s!.pick(1234));
    expect(out.s!.seed).toBe(1234);
    expect(edit).not.toHaveBeenCalled();
    view.rerender(<Probe design={{ name: 'a', seed: 7 }} fresh={false} edit={edit} out={out} />);
    expect([out.s!.seed, out.s!.locked]).toEqual([7, true]);
    act(() => out.s!.pick(99));
    expect(edit).toHaveBeenCalledWith('seed', 99);
  });
});
