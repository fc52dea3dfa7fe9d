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
  /** Answers kept: those of the last this many captchas issued; an older one is dropped (its captcha just has no audio). */
  maxEntries?: number;
  now?: () => number;
}

/** One message for every id that gets no audio, so a caller learns nothing about which case it hit. */
export const NO_AUDIO = 'has no audio: it is unknown, expired, already verified, or was played too often';

export class CaptchaAudio {
  readonly maxEntries: number;
  readonly maxPlays: number;
  private readonly now: () => number;
  private readonly pending = new Map<string, Pending>();
  /**
   * The ids of the last `maxEntries` captchas issued, oldest first, as a ring; ids
   * already forgotten or played out stay in it until they come round. The ring, not
   * the Map, says which is oldest: V8 leaves a deleted Map entry as a hole that every
   * walk from the front skips, so dropping the oldest through `keys().next()` cost an
   * issue 40-120 µs (and growing) once the Map was full, against about 5 µs now.
   */
  private readonly order: (string | undefined)[];
  private head = 0;
  private count = 0;

  constructor(opts: CaptchaAudioOptions = {}) {
    this.maxPlays = opts.maxPlays ?? 3;
    this.maxEntries = Math.max(1, opts.maxEntries ?? 100_000);
    this.now = opts.now ?? Date.now;
    this.order = new Array<string | undefined>(this.maxEntries);
  }

  /** Called as a captcha is issued. Past `maxEntries` issued since, an answer is dropped (its captcha just has no audio). */
  remember(id: string, answer: string, expiresAt: number): void {
    this.sweep();
    if (this.count === this.maxEntries) this.dropOldest();
    this.pending.set(id, { answer, expiresAt, plays: 0 });
    this.order[(this.head + this.count) % this.maxEntries] = id;
    this.count++;
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

  private dropOldest(): void {
    const id = this.order[this.head]!;
    this.order[this.head] = undefined;
    this.head = (this.head + 1) % this.maxEntries;
    this.count--;
    this.pending.delete(id);
  }

  /** Drops the oldest ids while they are expired or already gone (issue order is expiry order: one TTL per server). */
  private sweep(): void {
    const now = this.now();
    while (this.count > 0) {
      const p = this.pending.get(this.order[this.head]!);
      if (p && p.expiresAt > now) return;
      this.dropOldest();
    }
  }
}

/** Whether the store compares answers case-sensitively (the in-memory store says; Redis's default ignores case). */
export function storeIsCaseSensitive(store: AnswerStore): boolean {
  return !store.ignoreCase;
}
