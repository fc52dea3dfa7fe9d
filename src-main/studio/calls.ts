/**
 * One StudioApi call from outside (IPC or HTTP): checks the method name and the
 * arguments against api.ts's table, then runs the handler. Invalid arguments are
 * an InputError naming the argument (`seed`, `file.bytes`), or, for calls that
 * report problems in their result (previews), that result.
 */
import type { z } from 'zod';
import { studioMethods, type StudioHandlers, type StudioMethod } from '../api.ts';
import type { DesignIssue } from '../core/design.ts';
import { InputError } from '../core/input-error.ts';

export function isStudioMethod(name: string): name is StudioMethod {
  return Object.hasOwn(studioMethods, name);
}

function issuesOf(names: readonly string[], error: z.ZodError): DesignIssue[] {
  return error.issues.map((i) => {
    const [index, ...rest] = i.path;
    const arg = typeof index === 'number' ? (names[index] ?? `argument ${index + 1}`) : 'arguments';
    return { field: [arg, ...rest.map(String)].join('.'), rule: i.message };
  });
}

/**
 * Calls `method` on `handlers` with `args` (a list, as IPC passes them). Exactly the
 * row's arguments are checked, a missing one as undefined (so its error names it,
 * `name: must be a preset name`); arguments beyond them are never looked at.
 */
export async function callStudio<M extends StudioMethod>(handlers: Partial<StudioHandlers>, method: string, args: readonly unknown[]): Promise<unknown> {
  if (!isStudioMethod(method) || !handlers[method]) throw new InputError('method', `"${String(method).slice(0, 40)}" is not a call this side serves`, { kind: 'not-found' });
  const spec = studioMethods[method];
  const parsed = spec.args.safeParse(Array.from(spec.names, (_, i) => args[i]));
  if (!parsed.success) {
    const issues = issuesOf(spec.names, parsed.error);
    if ('invalid' in spec && spec.invalid) return spec.invalid(issues);
    throw new InputError(issues[0].field, issues[0].rule);
  }
  // Called on `handlers`, so a class that implements the calls (DesktopStudio) serves them as they are.
  return (handlers[method as M] as (...a: unknown[]) => unknown).apply(handlers, parsed.data as unknown[]);
}
