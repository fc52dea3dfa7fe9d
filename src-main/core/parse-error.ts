/**
 * An InputError from a parser that does not know which field it is reading (an
 * image's bytes, a font file, a geometry expression). Its message is the rule
 * alone, because callers put the rule after their own field name
 * ("background.2.src: must be a PNG, …"); `field` names the kind of input for
 * anyone who maps it without wrapping it.
 */
import { InputError } from './input-error.ts';

export class ParseError extends InputError {
  constructor(field: string, rule: string) {
    super(field, rule);
    this.name = 'ParseError';
    this.message = rule;
  }
}
