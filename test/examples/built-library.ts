/**
 * The library as its users get it: the built entry points in dist/lib (test/support/
 * build-lib.ts builds them before these tests), loaded by URL so nothing here goes
 * through the TypeScript sources. Typed by the sources' declarations.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LIB_DIR } from '../../scripts/build-lib.mjs';
import type * as LibCore from '../../src-main/library/core.ts';
import type * as LibServer from '../../src-main/library/server.ts';

export type { LibCore, LibServer };

export async function builtServer(): Promise<typeof LibServer> {
  return (await import(pathToFileURL(join(LIB_DIR, 'library/server.js')).href)) as typeof LibServer;
}

export async function builtCore(): Promise<typeof LibCore> {
  return (await import(pathToFileURL(join(LIB_DIR, 'library/core.js')).href)) as typeof LibCore;
}

/**
 * The built memory store, remembering each answer it seals: the tests' only way to
 * read an issued captcha's answer (the service itself never hands it out).
 */
export async function answerRecordingStore(ttlMs = 60_000): Promise<{ store: LibServer.AnswerStore; answerOf: (id: string) => string }> {
  const { CaptchaStore } = await builtServer();
  const answers = new Map<string, string>();
  const store = new CaptchaStore({ ttlMs });
  const issue = store.issue.bind(store);
  store.issue = (answer: string) => {
    const issued = issue(answer);
    answers.set(issued.id, answer);
    return issued;
  };
  const answerOf = (id: string) => {
    const a = answers.get(id);
    if (a === undefined) throw new Error(`no captcha ${id} was issued by this store`);
    return a;
  };
  return { store, answerOf };
}

/** A store that cannot answer (as Redis while it is down): issuing and verifying throw StoreUnavailableError. */
export async function unavailableStore(): Promise<LibServer.AnswerStore> {
  const { CaptchaStore, StoreUnavailableError } = await builtServer();
  const store = new CaptchaStore();
  const down = () => {
    throw new StoreUnavailableError('redis is not connected');
  };
  store.checkIssuable = down;
  store.issue = down;
  store.verify = () => Promise.reject(new StoreUnavailableError('redis is not connected'));
  return store;
}
