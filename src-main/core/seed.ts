/**
 * What a seed is, in one place: the schema's `seed`, the preview and export calls,
 * the `seed=` query and the CLI all check it against this. No imports but zod and
 * InputError: api.ts's table uses it, and stays free of Node code.
 */
import { z } from 'zod';
import { InputError } from './input-error.ts';

export const MAX_SEED = 0xffffffff;
export const SEED_RULE = `must be a whole number from 0 to ${MAX_SEED}`;

export const seedSchema = z.number({ error: SEED_RULE }).int({ error: SEED_RULE }).min(0, { error: SEED_RULE }).max(MAX_SEED, { error: SEED_RULE });

export function isSeed(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_SEED;
}

/** A seed from outside, or undefined when none was given; anything else is an InputError naming `field`. */
export function checkSeed(seed: unknown, field = 'seed'): number | undefined {
  if (seed === undefined || seed === null) return undefined;
  if (!isSeed(seed)) throw new InputError(field, SEED_RULE);
  return seed;
}
