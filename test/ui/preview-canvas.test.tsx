// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, expect, it, vi } from 'vitest';
import { PreviewCanvas } from '../../src-renderer/src/components/PreviewCanvas.tsx';
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
    const img = { ok: true as const, width: 3, height: 2, pixels: new Uint8Array(24), seed: 1, answer: null, seq: 7, requestedAt: 123.5 };
    render(<PreviewCanvas img={img} zoom={2} />);
    const canvas = screen.getByTestId('preview') as HTMLCanvasElement;
    expect([canvas.width, canvas.height, canvas.style.width]).toEqual([3, 2, '6px']);
    expect(canvas.dataset.seq).toBe('7');
    expect(seen).toEqual([{ seq: 7, requestedAt: 123.5, drawn: 1 }]);
  } finally {
    document.removeEventListener(PREVIEW_DRAWN, listen);
  }
});
