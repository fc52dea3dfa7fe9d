/** Why a design was refused: every issue names the field and the rule it broke. */
import { InputError } from './input-error.ts';

export interface DesignIssue {
  /** Dotted path of the offending field, e.g. "background.0.color". */
  field: string;
  /** The rule it broke, in words. */
  rule: string;
}

/**
 * The InputError for a design: `field` and `rule` are the first issue's ("design"
 * when the whole document is wrong), `issues` lists them all.
 */
export class DesignError extends InputError {
  readonly issues: DesignIssue[];
  constructor(issues: DesignIssue[]) {
    const first = issues[0];
    super(first?.field || 'design', first?.rule ?? 'is not a valid design');
    this.name = 'DesignError';
    this.issues = issues;
  }
}
