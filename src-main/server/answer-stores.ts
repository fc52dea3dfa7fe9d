/** The one place a store setting (`memory`, `redis://…`) becomes an AnswerStore. */
import { CaptchaStore, type AnswerStore, type CaptchaStoreOptions } from './captcha-store.ts';
import { RedisAnswerStore, type RedisStoreOptions } from './redis-store.ts';
import { parseStoreSpec } from './store-spec.ts';

export type StoreTuning = Pick<RedisStoreOptions, 'keyPrefix' | 'commandTimeoutMs' | 'connectTimeoutMs' | 'retryDelayMs' | 'log'>;

/** Throws an InputError naming `field` for a bad setting; connects nothing (see AnswerStore.open). */
export function createAnswerStore(spec: string | undefined, opts: CaptchaStoreOptions & StoreTuning = {}, field = 'store'): AnswerStore {
  const parsed = parseStoreSpec(spec ?? '', field);
  return parsed.kind === 'memory' ? new CaptchaStore(opts) : new RedisAnswerStore({ ...opts, spec: parsed });
}
