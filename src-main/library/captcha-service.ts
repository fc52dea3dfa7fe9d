/**
 * Captchas from inside a Node backend, without running `captcha-studio serve`: the
 * same design, answer store and rules as the server's issuing and verify routes
 * (fresh CSPRNG answers whatever seed the design carries, the captcha render budget,
 * sealed single-use ids, the case rule, the TTL, fail closed when the store cannot
 * answer).
 *
 * Images are drawn in this process, not in the server's worker pool: seed 002's captcha
 * is about 0.1 ms of CPU (BENCHMARKS.md), less than a round trip to a worker, and
 * the pool's workers load the TypeScript sources through the CLI's source mode, which library users
 * must not need. A backend issuing hundreds a second can run the service in its own
 * worker threads; ids verify anywhere the secret and store are shared.
 */
import { checkBudget, RENDER_BUDGETS } from '../core/cost.ts';
import { parseDesign, type Design, type DesignInput } from '../core/design.ts';
import { InputError } from '../core/input-error.ts';
import { isCaptcha } from '../core/naming.ts';
import { getPreset, presetNames } from '../core/presets.ts';
import { loadImages, renderImage, type ImageSet } from '../core/render.ts';
import { createAnswerStore } from '../server/answer-stores.ts';
import type { AnswerStore, StoreHealth } from '../server/captcha-store.ts';
import { checkSecret } from '../server/signing.ts';
import { parseStoreSpec } from '../server/store-spec.ts';

export interface CaptchaServiceOptions {
  /** A built-in preset's name (default `seed-002-captcha`) or a design object, checked by the core's schema. */
  design?: string | DesignInput;
  /**
   * Where used ids are remembered: `memory` (default, this process only),
   * `redis://HOST:PORT/DB` (shared by every process with the same `secret`), or
   * your own AnswerStore (its lifecycle stays yours: close() leaves it open).
   */
  store?: string | AnswerStore;
  /** Seconds an issued captcha stays valid: 1..86400, default 300 (as `serve --ttl`). Ignored for an AnswerStore you pass. */
  ttl?: number;
  /**
   * Seals the ids (at least 32 characters): processes sharing it verify each other's
   * captchas. Random when absent, which only a single process with a memory store
   * can use. Ignored for an AnswerStore you pass.
   */
  secret?: string;
  /** Default false: "AbC" and "abc" both pass, as on the server. Ignored for an AnswerStore you pass. */
  caseSensitive?: boolean;
  /** A redis:// store's one line when Redis goes away and when it is back (default console.warn). */
  log?: (line: string) => void;
}

export interface IssuedCaptcha {
  /** Opaque, sealed, single use: send it with the form (a hidden field or a cookie). */
  id: string;
  /** The encoded image, in the design's output format. */
  image: Buffer;
  mime: string;
  width: number;
  height: number;
  expiresAt: Date;
}

export interface CaptchaService {
  /** A fresh captcha. Rejects with StoreUnavailableError (kind `busy`) while the store cannot answer. */
  issue(): Promise<IssuedCaptcha>;
  /**
   * True only once per issued, unexpired id with the right answer; any attempt uses
   * the id up, right or wrong. Rejects with StoreUnavailableError when the store
   * cannot tell: treat that as "not verified", never as valid.
   */
  verify(id: unknown, answer: unknown): Promise<boolean>;
  /** What the server's /healthz reports about the store. */
  health(): Promise<StoreHealth>;
  /** Lets go of the store's connections (a store created from a URL). */
  close(): Promise<void>;
  /** The validated design captchas are drawn from. */
  readonly design: Design;
  readonly ttlMs: number;
}

export const DEFAULT_DESIGN = 'seed-002-captcha';
const MAX_TTL = 86_400;

/** The design the option names, validated: an InputError naming `design` (or the design's own field) otherwise. */
export function resolveDesign(design: string | DesignInput | undefined): Design {
  if (design === undefined) design = DEFAULT_DESIGN;
  let parsed: Design;
  if (typeof design === 'string') {
    const preset = getPreset(design);
    if (!preset) throw new InputError('design', `"${design}" is not a built-in preset (one of: ${presetNames().join(', ')}); pass a design object for your own`, { kind: 'not-found' });
    parsed = preset;
  } else if (design && typeof design === 'object') {
    parsed = parseDesign(design);
  } else {
    throw new InputError('design', 'must be a preset name or a design object');
  }
  if (!isCaptcha(parsed)) throw new InputError('design', 'is not a captcha (it has no random or math text)');
  // The server's issuing routes refuse what costs more than this per image; so does the library.
  checkBudget(parsed, RENDER_BUDGETS.captcha);
  return parsed;
}

function checkTtl(ttl: unknown): number {
  if (ttl === undefined) return 300;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL) throw new InputError('ttl', `must be a whole number of seconds from 1 to ${MAX_TTL}`);
  return ttl;
}

function isAnswerStore(s: unknown): s is AnswerStore {
  const o = s as Partial<AnswerStore> | null;
  return !!o && typeof o === 'object' && typeof o.issue === 'function' && typeof o.verify === 'function' && typeof o.checkIssuable === 'function';
}

function makeStore(opts: CaptchaServiceOptions): { store: AnswerStore; owned: boolean } {
  const { store } = opts;
  if (store !== undefined && typeof store !== 'string') {
    if (!isAnswerStore(store)) throw new InputError('store', 'must be "memory", a redis:// URL or an AnswerStore (issue, verify, checkIssuable, health, open, close)');
    return { store, owned: false };
  }
  const spec = parseStoreSpec(store ?? '', 'store');
  if (opts.secret !== undefined && typeof opts.secret !== 'string') throw new InputError('secret', 'must be a string');
  const secret = opts.secret === undefined ? undefined : checkSecret(opts.secret);
  // A random secret dies with this process: no other process could verify, so a shared store would only mislead.
  if (spec.kind === 'redis' && secret === undefined) throw new InputError('secret', 'is required with a redis:// store: every process sharing the store must seal ids with the same secret');
  const ttlMs = checkTtl(opts.ttl) * 1000;
  return { store: createAnswerStore(store, { ttlMs, secret, ignoreCase: !opts.caseSensitive, ...(opts.log ? { log: opts.log } : {}) }), owned: true };
}

/** Checks every option at once (InputError naming the option and its rule); connects nothing until the first call. */
export function createCaptchaService(opts: CaptchaServiceOptions = {}): CaptchaService {
  if (!opts || typeof opts !== 'object') throw new InputError('options', 'must be an object');
  const design = resolveDesign(opts.design);
  const { store, owned } = makeStore(opts);
  // The stored design keeps its seed for previews; issued captchas never use it.
  const { seed: _fixed, ...issuing } = design;
  let opened: Promise<void> | undefined;
  let images: Promise<ImageSet> | undefined;
  const ready = () => (opened ??= store.open());

  return {
    design,
    ttlMs: store.ttlMs,
    async issue() {
      await ready();
      // Refuses (503-like) before rendering when an id issued now could not be verified.
      store.checkIssuable();
      // Loaded once; a failed load (a missing file) is retried on the next issue rather than remembered.
      images ??= loadImages(issuing).catch((e: unknown) => {
        images = undefined;
        throw e;
      });
      const out = renderImage(issuing, { images: await images });
      const { id, expiresAt } = store.issue(out.challenge?.answer ?? '');
      return { id, image: out.bytes, mime: out.mime, width: out.width, height: out.height, expiresAt: new Date(expiresAt) };
    },
    async verify(id, answer) {
      await ready();
      return store.verify(id, answer);
    },
    async health() {
      await ready();
      return store.health();
    },
    async close() {
      const wasOpen = opened;
      opened = undefined;
      if (owned && wasOpen) await wasOpen.then(() => store.close());
    },
  };
}

/** `data:image/png;base64,…` for an `<img src>`: the image needs no route of its own. */
export function toDataUrl(captcha: Pick<IssuedCaptcha, 'image' | 'mime'>): string {
  return `data:${captcha.mime};base64,${captcha.image.toString('base64')}`;
}
