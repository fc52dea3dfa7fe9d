/** Polls `ok` until it holds, failing with `what` after `ms`: tests wait on a condition with a deadline, never a fixed sleep. */
export async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 15_000, everyMs = 25): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
