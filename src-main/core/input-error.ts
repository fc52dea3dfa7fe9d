/**
 * The one error for bad input, from any layer: the core's schema, design and font
 * files, query strings, IPC and HTTP bodies. It names the field and the rule the
 * input broke; each adapter maps it once (HTTP: a status from `kind`; IPC: the
 * message; CLI: the message and exit code 2). Nothing recognises input errors by
 * their message text.
 */

/**
 * How the input was wrong, for adapters that answer with a status:
 * invalid 400, forbidden 403, not-found 404, conflict 409, too-large 413,
 * unsupported 415, refused 422 (valid but the server will not do it), busy 503.
 */
export type InputErrorKind = 'invalid' | 'forbidden' | 'not-found' | 'conflict' | 'too-large' | 'unsupported' | 'refused' | 'busy';

export interface InputErrorOptions {
  kind?: InputErrorKind;
  /** Seconds a client should wait before retrying (busy). */
  retryAfter?: number;
  cause?: unknown;
}

export class InputError extends Error {
  readonly kind: InputErrorKind;
  readonly retryAfter?: number;

  constructor(
    /** The input that was wrong, as the user knows it: `width`, `background.2.stops`, `file`. */
    readonly field: string,
    /** What it must be, in plain words: `must be at most 8192`. */
    readonly rule: string,
    opts: InputErrorOptions = {},
  ) {
    super(`${field}: ${rule}`, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = 'InputError';
    this.kind = opts.kind ?? 'invalid';
    if (opts.retryAfter !== undefined) this.retryAfter = opts.retryAfter;
  }
}
