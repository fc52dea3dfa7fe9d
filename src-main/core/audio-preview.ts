/**
 * The designer's "Play audio": the answer a design shows at a seed, spoken as
 * the server would speak an issued captcha of it. The answer comes from the
 * same seeded stream the render takes it from (render.ts), so no image is drawn.
 */
import { captchaAudioWav } from './audio-clips.ts';
import { isSpeakable } from './audio.ts';
import type { Design } from './design.ts';
import { InputError } from './input-error.ts';
import { seededRng } from './random.ts';
import { makeChallenge } from './text.ts';

/** What the user of a design rendered at `seed` must type; InputError naming the field when there is nothing to speak. */
export function designAnswer(design: Design, seed: number): string {
  if (!design.text) throw new InputError('text', 'the design has no text, so there is no answer to speak', { kind: 'refused' });
  const { answer } = makeChallenge(design.text, { w: design.width, h: design.height }, seededRng(seed, 'answer'));
  const bad = [...answer].find((ch) => !isSpeakable(ch));
  if (bad !== undefined) {
    const field = design.text.mode === 'fixed' ? 'text.value' : design.text.charset === 'custom' ? 'text.chars' : 'text.charset';
    throw new InputError(field, `audio captchas speak only digits and the letters a-z; "${bad}" cannot be spoken`, { kind: 'refused' });
  }
  return answer;
}

/** The spoken answer as a WAV data URL; the mix is seeded too, so a preview plays the same each time. */
export function previewAudioDataUrl(design: Design, seed: number, opts: { caseSensitive?: boolean } = {}): string {
  const wav = captchaAudioWav(designAnswer(design, seed), seededRng(seed, 'audio'), opts);
  return `data:audio/wav;base64,${wav.toString('base64')}`;
}
