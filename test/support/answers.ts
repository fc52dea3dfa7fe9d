/**
 * Records what a real server sealed into each captcha id, by wrapping its store's
 * issue(): tests learn an issued captcha's answer without any seed or test hook in
 * the server (issuing routes refuse seeds) and without --expose-answers.
 */
import type { StudioServer } from '../../src-main/server/server.ts';

export function recordAnswers(server: StudioServer): Map<string, string> {
  const answers = new Map<string, string>();
  const store = server.store;
  const issue = store.issue.bind(store);
  store.issue = (answer: string) => {
    const r = issue(answer);
    answers.set(r.id, answer);
    return r;
  };
  return answers;
}
