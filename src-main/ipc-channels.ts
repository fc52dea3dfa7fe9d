/**
 * The IPC names the main process and the preload must agree on. No imports: the
 * sandboxed preload bundles this file (and nothing of api.ts but its types).
 */

/** The argument that hands the preload the contract's call names (app/window.ts). */
export const METHODS_ARG = '--studio-methods=';

/** The channel of one StudioApi call. */
export const channelOf = <M extends string>(method: M): `studio:${M}` => `studio:${method}`;

/** Main -> renderer event channels. */
export const EVENTS = {
  requestLog: 'studio:request-log',
  menuCommand: 'studio:menu-command',
  batchProgress: 'studio:batch-progress',
} as const;
