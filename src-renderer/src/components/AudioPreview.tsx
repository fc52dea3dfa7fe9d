/**
 * "Play audio": the preview's answer spoken as the server speaks an issued captcha
 * of this design (noise, gaps and all), so a designer hears what a blind visitor
 * will. Fetched on demand, not with every preview: mixing is work nobody asked for
 * until the button is pressed.
 */
import { useEffect, useRef, useState } from 'react';
import type { DesignInput } from '../../../src-main/api.ts';
import { useApi } from './design-context.ts';

/** What a clip or error was made for: another design or seed has another answer, so it is not shown. */
interface Made<T> {
  design: DesignInput;
  seed: number;
  value: T;
}

export function AudioPreview({ design, seed }: { design: DesignInput; seed: number }) {
  const api = useApi();
  const [clip, setClip] = useState<Made<string> | null>(null);
  const [failure, setFailure] = useState<Made<string> | null>(null);
  const [busy, setBusy] = useState(false);
  const audio = useRef<HTMLAudioElement>(null);
  const current = (m: Made<string> | null) => (m && m.design === design && m.seed === seed ? m.value : null);
  const src = current(clip);
  const error = current(failure);

  useEffect(() => {
    // Pressing the button is the user's gesture; a browser that still refuses leaves the controls to play it.
    if (src) audio.current?.play().catch(() => {});
  }, [src]);

  const play = async () => {
    setBusy(true);
    setFailure(null);
    try {
      setClip({ design, seed, value: await api.previewAudio(design, seed) });
    } catch (e) {
      setFailure({ design, seed, value: e instanceof Error ? e.message : String(e) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <span className="audio-preview">
      <button type="button" onClick={() => void play()} disabled={busy} title="Hear this answer as the audio captcha (GET /captcha.wav) speaks it">
        Play audio
      </button>
      {src && <audio ref={audio} src={src} controls aria-label="Audio captcha preview" data-testid="audio-preview" />}
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
