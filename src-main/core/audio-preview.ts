/**
 * The designer's "Play audio" speaks the answer a design shows at a seed
 * (audio/clips.ts mixes it). The answer comes from the
 * same seeded stream the render takes it from (render.ts), so no image is drawn.
 */
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
