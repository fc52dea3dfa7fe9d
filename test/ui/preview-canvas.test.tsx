// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, expect, it, vi } from 'vitest';
import { PreviewCanvas } from '../../src-renderer/src/components/PreviewCanvas.tsx';
import type { PreviewSink } from '../../src-renderer/src/hooks/usePreview.ts';
import { PREVIEW_DRAWN, type PreviewDrawnDetail } from '../../src-renderer/src/preview-drawn.ts';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

it('tells observers outside the app which preview it drew, after putting its pixels on the canvas', () => {
  // jsdom has no 2D canvas: a stand-in context records what is put.
  const putImageData = vi.fn();
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue({ putImageData } as unknown as CanvasRenderingContext2D);
  vi.stubGlobal('ImageData', class {
    constructor(
      readonly data: Uint8ClampedArray,
      readonly width: number,
      readonly height: number,
    ) {}
  });
  const seen: PreviewDrawnDetail[] = [];
  const listen = (e: Event) => seen.push({ ...(e as CustomEvent<PreviewDrawnDetail>).detail, drawn: putImageData.mock.calls.length } as PreviewDrawnDetail);
  document.addEventListener(PREVIEW_DRAWN, listen);
  try {
    const img = { ok: true as const, width: 3, height: 2, pixels: new Uint8Array(24), seed: 1, answer: null, seq: 7, requestedAt: 123.5, designWidth: 3, designHeight: 2, scale: 1, random: false, glyphs: [], warnings: [] };
    render(<PreviewCanvas img={img} zoom={2} />);
    const canvas = screen.getByTestId('preview') as HTMLCanvasElement;
    expect([canvas.width, canvas.height, canvas.style.width]).toEqual([3, 2, '6px']);
    expect(canvas.dataset.seq).toBe('7');
    expect(seen).toEqual([{ seq: 7, requestedAt: 123.5, drawn: 1 }]);
  } finally {
    document.removeEventListener(PREVIEW_DRAWN, listen);
  }
});

it('keeps the pixels as rendered in its backing store and sizes itself by the design and the zoom', () => {
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue({ putImageData: vi.fn() } as unknown as CanvasRenderingContext2D);
  vi.stubGlobal('ImageData', class {});
  // A 1920x1080 design rendered at 0.25 for a 50% view on a 0.5 device pixel ratio.
  const img = { ok: true as const, width: 480, height: 270, pixels: new Uint8Array(480 * 270 * 4), seed: 1, answer: null, seq: 1, requestedAt: 0, designWidth: 1920, designHeight: 1080, scale: 0.25, random: false, glyphs: [], warnings: [] };
  render(<PreviewCanvas img={img} zoom={0.5} devicePixelRatio={0.5} />);
  const canvas = screen.getByTestId('preview') as HTMLCanvasElement;
  expect([canvas.width, canvas.height, canvas.style.width, canvas.style.height]).toEqual([480, 270, '960px', '540px']);
  expect(canvas.style.imageRendering).toBe('auto');
  expect(canvas.getAttribute('aria-label')).toBe('Preview, 1920 by 1080 pixels');
  cleanup();
  // Full size shown at 300%: its real pixels, enlarged as squares.
  render(<PreviewCanvas img={{ ...img, width: 1920, height: 1080, pixels: new Uint8Array(1920 * 1080 * 4), scale: 1 }} zoom={3} />);
  expect((screen.getByTestId('preview') as HTMLCanvasElement).style.imageRendering).toBe('pixelated');
});

it('draws an image handed to its sink at once, and not again when React renders the same image', () => {
  const putImageData = vi.fn();
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue({ putImageData } as unknown as CanvasRenderingContext2D);
  vi.stubGlobal('ImageData', class {});
  const sink: { current: PreviewSink | null } = { current: null };
  const onSink = (d: PreviewSink | null) => void (sink.current = d);
  const first = { ok: true as const, width: 3, height: 2, pixels: new Uint8Array(24), seed: 1, answer: null, seq: 1, requestedAt: 0, designWidth: 3, designHeight: 2, scale: 1, random: false, glyphs: [], warnings: [] };
  const { rerender } = render(<PreviewCanvas img={first} zoom={2} onSink={onSink} />);
  expect(putImageData).toHaveBeenCalledTimes(1);
  expect(sink.current).toBeTypeOf('function');
  // A new, larger image arrives: on the canvas before any render, at the size React will give it.
  const next = { ...first, width: 4, height: 3, pixels: new Uint8Array(48), seq: 2, designWidth: 4, designHeight: 3 };
  act(() => sink.current!(next));
  const canvas = screen.getByTestId('preview') as HTMLCanvasElement;
  expect(putImageData).toHaveBeenCalledTimes(2);
  expect([canvas.width, canvas.height, canvas.style.width, canvas.style.height, canvas.dataset.seq]).toEqual([4, 3, '8px', '6px', '2']);
  rerender(<PreviewCanvas img={next} zoom={2} onSink={onSink} />);
  expect(putImageData).toHaveBeenCalledTimes(2);
  expect(canvas.style.width).toBe('8px');
  cleanup();
  expect(sink.current).toBeNull();
});

it('hands its canvas to a preview worker before drawing anything, and then only tells what the worker drew', () => {
  const getContext = vi.spyOn(HTMLCanvasElement.prototype, 'getContext');
  const attached: HTMLCanvasElement[] = [];
  const drawnByPage: number[] = [];
  const host = {
    attachPreviewCanvas: (c: HTMLCanvasElement) => (attached.push(c), true),
    drawOnPreviewCanvas: (img: { width: number; height: number; pixels: Uint8Array }) => void drawnByPage.push(img.pixels.length),
  };
  const seen: PreviewDrawnDetail[] = [];
  const listen = (e: Event) => seen.push((e as CustomEvent<PreviewDrawnDetail>).detail);
  document.addEventListener(PREVIEW_DRAWN, listen);
  const base = { ok: true as const, seed: 1, answer: null, requestedAt: 10, designWidth: 3, designHeight: 2, scale: 1, random: false, glyphs: [], warnings: [] };
  try {
    // The first image came before the worker had the canvas: its pixels go to the worker.
    const first = { ...base, width: 3, height: 2, pixels: new Uint8Array(24), seq: 1 };
    const { rerender } = render(<PreviewCanvas img={first} zoom={1} host={host} />);
    const canvas = screen.getByTestId('preview') as HTMLCanvasElement;
    expect(attached).toEqual([canvas]);
    expect(drawnByPage).toEqual([24]);
    // Drawn by the worker already (no pixels come back): only the size, the seq and the event.
    rerender(<PreviewCanvas img={{ ...base, width: 6, height: 4, pixels: new Uint8Array(0), seq: 2, drawnAt: 42.5 }} zoom={1} host={host} />);
    expect(drawnByPage).toEqual([24]);
    expect([canvas.dataset.seq, canvas.dataset.width, canvas.dataset.height]).toEqual(['2', '6', '4']);
    expect(seen.map((d) => [d.seq, d.drawnAt])).toEqual([
      [1, undefined],
      [2, 42.5],
    ]);
    // A canvas with a context here could never be handed over.
    expect(getContext).not.toHaveBeenCalled();
    expect(attached).toHaveLength(1);
  } finally {
    document.removeEventListener(PREVIEW_DRAWN, listen);
  }
});
