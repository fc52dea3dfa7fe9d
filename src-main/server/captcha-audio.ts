/**
 * The audio form of issued captchas (GET /captcha.wav). An id seals only an HMAC
 * of its answer, so the answer cannot be read back from it: the issuing path
 * leaves the answer here, in this process's memory, keyed by the id, until the
 * id expires, is verified, or has been played `maxPlays` times. See SECURITY.md,
 * "Audio captchas", for why this and not an id that carries the answer encrypted.
 */
import { cryptoRng } from '../core/random.ts';
import { captchaAudioWav } from '../audio/clips.ts';
import { InputError } from '../core/input-error.ts';
import type { AnswerStore } from './captcha-store.ts';

interface Pending {
  answer: string;
  expiresAt: number;
  plays: number;
}

export interface CaptchaAudioOptions {
  /** Plays per id: enough to listen again, too few to average the noise away. */
  maxPlays?: number;
  /** Answers kept at once; past it the oldest is dropped (its captcha just has no audio). */
  maxEntries?: number;
  now?: () => number;
}

/** One message for every id that gets no audio, so a caller learns nothing about which case it hit. */
export const NO_AUDIO = 'has no audio: it is unknown, expired, already verified, or was played too often';

export class CaptchaAudio {
  readonly maxPlays: number;
  readonly maxEntries: number;
  private readonly now: () => number;
  /** Insertion order is issue order, so the front holds the soonest to expire (one TTL per server). */
  private readonly pending = new Map<string, Pending>();

  constructor(opts: CaptchaAudioOptions = {}) {
    this.maxPlays = opts.maxPlays ?? 3;
    this.maxEntries = opts.maxEntries ?? 100_000;
    this.now = opts.now ?? Date.now;
  }

  /** Called as a captcha is issued. */
  remember(id: string, answer: string, expiresAt: number): void {
    this.sweep();
    if (this.pending.size >= this.maxEntries) this.pending.delete(this.pending.keys().next().value!);
    this.pending.set(id, { answer, expiresAt, plays: 0 });
  }

  /** Called on any verify attempt: an id that was tried is spent, its audio with it. */
  forget(id: unknown): void {
    if (typeof id === 'string') this.pending.delete(id);
  }

  /**
   * The answer spoken, as WAV bytes; counts a play. Does not consume the captcha.
   * Forged, expired, verified and exhausted ids all get the same 404.
   */
  play(id: unknown, opts: { caseSensitive?: boolean } = {}): Buffer {
    this.sweep();
    const p = typeof id === 'string' ? this.pending.get(id) : undefined;
    if (!p || p.expiresAt <= this.now() || p.plays >= this.maxPlays) throw new InputError('id', NO_AUDIO, { kind: 'not-found' });
    p.plays++;
    if (p.plays >= this.maxPlays) this.pending.delete(id as string);
    return captchaAudioWav(p.answer, cryptoRng, opts);
  }

  get size(): number {
    return this.pending.size;
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, p] of this.pending) {
      if (p.expiresAt > now) break;
      this.pending.delete(id);
    }
  }
}

/** Whether the store compares answers case-sensitively (the in-memory store says; Redis's default ignores case). */
export function storeIsCaseSensitive(store: AnswerStore): boolean {
  return !store.ignoreCase;
}
