// @vitest-environment jsdom
import { act, render, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { DesignInput, PreviewOutcome } from '../../src-main/api.ts';
import { usePreview, type Preview, type PreviewSink } from '../../src-renderer/src/hooks/usePreview.ts';
import { coreApi } from './core-api.ts';

/** An API whose renders finish only when the test says so, in any order. */
function controlledApi() {
  const calls: { design: DesignInput; seed: number; view: { scale: number } | null | undefined; resolve: (o: PreviewOutcome) => void }[] = [];
  const api = coreApi({ renderPreview: (design, seed, view) => new Promise((resolve) => calls.push({ design, seed, view, resolve })) });
  return { api, calls };
}
const px = (w: number): PreviewOutcome => ({ ok: true, width: w, height: 1, pixels: new Uint8Array(w * 4), seed: 1, answer: null, designWidth: w, designHeight: 1, scale: 1, random: true, glyphs: [], warnings: [] });

function Probe({ api, design, seed, scale = null, out, sink }: { api: ReturnType<typeof controlledApi>['api']; design: DesignInput; seed: number; scale?: number | null; out: { state?: Preview }; sink?: { current: PreviewSink | null } }) {
  out.state = usePreview(api, design, seed, scale, sink);
  return null;
}

describe('latest-wins preview', () => {
  it('hands each newest good image to the sink before the state that renders it, and nothing stale or invalid', async () => {
    const { api, calls } = controlledApi();
    const out: { state?: Preview } = {};
    const drawn: { width: number; stateWidth: number | undefined }[] = [];
    const sink = { current: (img: Parameters<PreviewSink>[0]) => void drawn.push({ width: img.width, stateWidth: out.state!.image?.width }) };
    const view = render(<Probe api={api} design={{ width: 5 }} seed={1} out={out} sink={sink} />);
    await act(async () => calls[0].resolve(px(5)));
    expect(drawn).toEqual([{ width: 5, stateWidth: undefined }]);
    expect(out.state!.image!.width).toBe(5);
    view.rerender(<Probe api={api} design={{ width: 99999 }} seed={1} out={out} sink={sink} />);
    await act(async () => calls[1].resolve({ ok: false, issues: [{ field: 'width', rule: 'must be at most 8192' }] }));
    expect(drawn).toHaveLength(1);
  });

  it('keeps one render in flight and collapses edits made meanwhile into the newest one', async () => {
    const { api, calls } = controlledApi();
    const out: { state?: Preview } = {};
    const view = render(<Probe api={api} design={{ width: 1 }} seed={1} out={out} />);
    for (const w of [2, 3, 4]) view.rerender(<Probe api={api} design={{ width: w }} seed={1} out={out} />);
    expect(calls.map((c) => c.design.width)).toEqual([1]); // 2 and 3 never went out
    await act(async () => calls[0].resolve(px(1)));
    expect(calls.map((c) => c.design.width)).toEqual([1, 4]);
    expect(out.state!.image!.width).toBe(1);
    await act(async () => calls[1].resolve(px(4)));
    expect(out.state!.image!.width).toBe(4);
    expect(out.state!.busy).toBe(false);
  });

  it('never lets an older result replace a newer one, and keeps the last good image on errors', async () => {
    const { api, calls } = controlledApi();
    const out: { state?: Preview } = {};
    const view = render(<Probe api={api} design={{ width: 10 }} seed={1} out={out} />);
    await act(async () => calls[0].resolve(px(10)));
    view.rerender(<Probe api={api} design={{ width: 99999 }} seed={1} out={out} />);
    await act(async () => calls[1].resolve({ ok: false, issues: [{ field: 'width', rule: 'must be at most 8192' }] }));
    expect(out.state!.issues).toEqual([{ field: 'width', rule: 'must be at most 8192' }]);
    expect(out.state!.image!.width).toBe(10);
    // A superseded answer changes nothing.
    view.rerender(<Probe api={api} design={{ width: 20 }} seed={1} out={out} />);
    await act(async () => calls[2].resolve({ ok: false, superseded: true, issues: [] }));
    expect(out.state!.image!.width).toBe(10);
    expect(out.state!.issues).toHaveLength(1);
  });

  it('asks for the view\'s scale (full size without one), and a new scale is a new request', async () => {
    const { api, calls } = controlledApi();
    const out: { state?: Preview } = {};
    const design = { width: 10 };
    const view = render(<Probe api={api} design={design} seed={1} out={out} />);
    expect(calls[0].view).toBeNull();
    await act(async () => calls[0].resolve(px(10)));
    view.rerender(<Probe api={api} design={design} seed={1} scale={0.5} out={out} />);
    expect(calls.map((c) => c.view)).toEqual([null, { scale: 0.5 }]);
    await act(async () => calls[1].resolve(px(5)));
    // The same scale again asks for nothing.
    view.rerender(<Probe api={api} design={design} seed={1} scale={0.5} out={out} />);
    expect(calls).toHaveLength(2);
    expect(out.state!.image!.width).toBe(5);
  });

  it('draws with the real core: a new seed gives new pixels', async () => {
    const api = coreApi();
    const out: { state?: Preview } = {};
    const design = { width: 60, height: 20, text: { length: 4 } };
    const view = render(<Probe api={api} design={design} seed={1} out={out} />);
    await waitFor(() => expect(out.state!.image).not.toBeNull());
    const first = out.state!.image!;
    view.rerender(<Probe api={api} design={design} seed={2} out={out} />);
    await waitFor(() => expect(out.state!.image!.seq).toBeGreaterThan(first.seq));
    expect(Buffer.compare(Buffer.from(first.pixels), Buffer.from(out.state!.image!.pixels))).not.toBe(0);
  });

  it('asks for an edited design from the event, and the render that brings it does not ask again', async () => {
    const { api, calls } = controlledApi();
    const out: { state?: Preview } = {};
    const first = { width: 5 };
    const view = render(<Probe api={api} design={first} seed={1} out={out} />);
    await act(async () => calls[0].resolve(px(5)));
    const next = { width: 6 };
    // The edit's event: before React renders the new design, the request is out.
    act(() => out.state!.request(next, 1, null));
    expect(calls.map((c) => c.design)).toEqual([first, next]);
    view.rerender(<Probe api={api} design={next} seed={1} out={out} />);
    expect(calls).toHaveLength(2);
    await act(async () => calls[1].resolve(px(6)));
    expect(out.state!.image!.width).toBe(6);
    // What the render brings that the early request did not name (another seed) is asked for.
    view.rerender(<Probe api={api} design={next} seed={2} out={out} />);
    expect(calls.map((c) => c.seed)).toEqual([1, 1, 2]);
  });
});
