/**
 * Zod builders for the fields designs are made of, shared by the design schema and
 * every layer kind so that the same kind of value is checked, and its rule worded,
 * the same way everywhere.
 */
import { z } from 'zod';
import { COLOR_RULE, isColor } from './color.ts';
import { ExprError, GLYPH_VARS, SIZE_VARS, parseExpr } from './expr.ts';
import { LIMITS } from './limits.ts';

export const int = (min: number, max: number) =>
  z
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);
export const num = (min: number, max: number) =>
  z.number({ error: 'must be a number' }).min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

export const colorSchema = z.string({ error: 'must be a colour string' }).max(64, 'must be at most 64 characters').refine(isColor, COLOR_RULE);
export const palette = (min = 1) =>
  z.array(colorSchema).min(min, `must list at least ${min} colour${min > 1 ? 's' : ''}`).max(LIMITS.palette, `must list at most ${LIMITS.palette} colours`);

function lengthSchema(vars: readonly string[]) {
  return z.union(
    [
      num(-1_000_000, 1_000_000),
      z.string().superRefine((s, ctx) => {
        try {
          parseExpr(s, vars);
        } catch (e) {
          if (!(e instanceof ExprError)) throw e;
          ctx.addIssue({ code: 'custom', message: `must be a number or an expression of ${vars.join(', ')}: ${e.rule}` });
        }
      }),
    ],
    { error: `must be a number or an expression of ${vars.join(', ')}` },
  );
}
/** Background geometry: design pixels, or an expression of the canvas size. */
export const length = lengthSchema(SIZE_VARS);
/** Glyph placement: design pixels, or an expression of the canvas, the glyph's index and size. */
export const glyphLength = lengthSchema(GLYPH_VARS);

export const opacity = num(0, 1).default(1);
/** Every layer kind: kept in the design but not drawn (the designer's visibility toggle). */
export const hidden = z.boolean({ error: 'must be true or false' }).optional();

const stop = z.strictObject({ offset: num(0, 1), color: colorSchema });
/** Gradient colour stops. */
export const stops = z.array(stop).min(2, 'must list at least 2 stops').max(LIMITS.stops, `must list at most ${LIMITS.stops} stops`);
