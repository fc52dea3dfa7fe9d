// @vitest-environment jsdom
/**
 * Play audio: asks the StudioApi for the preview's answer spoken, shows it as an
 * <audio> with a WAV source, and drops it when the design or seed changes (it would
 * speak another answer). The api is the real core in-process.
 */
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { createElement } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DesignInput, StudioApi } from '../../src-main/api.ts';
import { previewAudioDataUrl } from '../../src-main/audio/clips.ts';
import { designAnswer } from '../../src-main/core/audio-preview.ts';
import { decodeWav } from '../../src-main/core/audio-wav.ts';
import { parseDesign } from '../../src-main/core/design.ts';
import { getPreset } from '../../src-main/core/presets.ts';
import { AudioPreview } from '../../src-renderer/src/components/AudioPreview.tsx';
import { ApiContext } from '../../src-renderer/src/components/design-context.ts';

afterEach(cleanup);

function mount(design: DesignInput, seed: number) {
  const previewAudio = vi.fn(async (d: DesignInput, s: number) => previewAudioDataUrl(parseDesign(d), s));
  // Only previewAudio is called by this component.
  const api = { previewAudio } as unknown as StudioApi;
  const el = (d: DesignInput, s: number) => createElement(ApiContext.Provider, { value: api }, createElement(AudioPreview, { design: d, seed: s }));
  // jsdom has no media playback; the component tolerates a play() that refuses.
  vi.spyOn(window.HTMLMediaElement.prototype, 'play').mockImplementation(() => Promise.reject(new Error('no media in jsdom')));
  return { previewAudio, view: render(el(design, seed)), el };
}

describe('Play audio', () => {
  it('shows an <audio> whose source is the WAV of the answer at this seed', async () => {
    const design = getPreset('seed-002-captcha')!;
    const { previewAudio } = mount(design, 42);
    expect(screen.queryByTestId('audio-preview')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Play audio' }));
    await waitFor(() => expect(screen.getByTestId('audio-preview')).toBeTruthy());
    expect(previewAudio).toHaveBeenCalledWith(design, 42);
    const src = screen.getByTestId('audio-preview').getAttribute('src')!;
    expect(src).toMatch(/^data:audio\/wav;base64,/);
    const { samples, sampleRate } = decodeWav(Buffer.from(src.split(',')[1], 'base64'));
    // Five characters with their gaps: seconds, not a click.
    expect(samples.length / sampleRate).toBeGreaterThan(designAnswer(parseDesign(design), 42).length * 0.4);
  });

  it('drops the clip when the seed changes, and names the field when the answer cannot be spoken', async () => {
    const design = getPreset('seed-002-captcha')!;
    const { view, el } = mount(design, 1);
    fireEvent.click(screen.getByRole('button', { name: 'Play audio' }));
    await waitFor(() => expect(screen.getByTestId('audio-preview')).toBeTruthy());
    view.rerender(el(design, 2));
    expect(screen.queryByTestId('audio-preview')).toBeNull();
    const cjk = { ...design, text: { ...design.text!, charset: 'cjk' as const } };
    view.rerender(el(cjk, 2));
    fireEvent.click(screen.getByRole('button', { name: 'Play audio' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/^text\.charset: audio captchas speak only digits and the letters a-z/));
  });
});
