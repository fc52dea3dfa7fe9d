/**
 * Where a server keeps its used captcha ids, as the user writes it: `memory` (the
 * default, this process only) or `redis://[user:password@]HOST[:PORT][/DB]`
 * (`rediss://` for TLS), shared by every server given the same URL and secret.
 * Checked here, with no Redis client loaded, so the CLI and the desktop settings
 * refuse a bad value with the field and the rule before anything starts.
 */
import { InputError } from '../core/input-error.ts';

export const MEMORY_STORE = 'memory';
/** The store setting from the environment (`captcha-studio serve`), when --store is not given. */
export const STORE_ENV = 'CAPTCHA_STUDIO_STORE';
/** Redis's default `databases` is 16. */
export const MAX_REDIS_DB = 15;
const MAX_SPEC_LENGTH = 2048;

export type StoreSpec = { kind: 'memory' } | { kind: 'redis'; url: string; host: string; port: number; db: number; tls: boolean };

const RULE = `must be "${MEMORY_STORE}" or redis://HOST:PORT/DB (rediss:// for TLS; DB 0..${MAX_REDIS_DB})`;

/** Parses and checks a store setting; throws an InputError naming `field` and the rule. */
export function parseStoreSpec(spec: string, field = 'store'): StoreSpec {
  const s = spec.trim();
  if (s === '' || s === MEMORY_STORE) return { kind: 'memory' };
  if (s.length > MAX_SPEC_LENGTH) throw new InputError(field, `must be at most ${MAX_SPEC_LENGTH} characters`);
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new InputError(field, RULE);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new InputError(field, RULE);
  if (!u.hostname) throw new InputError(field, `${RULE}: the host is missing`);
  if (u.search || u.hash) throw new InputError(field, `${RULE}: no query or fragment (got "${u.search || u.hash}")`);
  const port = u.port === '' ? 6379 : Number(u.port);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new InputError(field, `${RULE}: the port must be 1..65535`);
  const path = u.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d{1,2}$/.test(path)) throw new InputError(field, `${RULE}: the database must be a number 0..${MAX_REDIS_DB} (got "${path}")`);
  const db = path === '' ? 0 : Number(path);
  if (db > MAX_REDIS_DB) throw new InputError(field, `${RULE}: the database must be a number 0..${MAX_REDIS_DB} (got ${db})`);
  return { kind: 'redis', url: s, host: u.hostname, port, db, tls: u.protocol === 'rediss:' };
}

/** The URL as it may be printed: without user name or password. */
export function describeStore(spec: StoreSpec): string {
  if (spec.kind === 'memory') return MEMORY_STORE;
  const host = spec.host.includes(':') && !spec.host.startsWith('[') ? `[${spec.host}]` : spec.host;
  return `${spec.tls ? 'rediss' : 'redis'}://${host}:${spec.port}/${spec.db}`;
}
