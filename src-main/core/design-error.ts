/** Why a design was refused: every issue names the field and the rule it broke. */

export interface DesignIssue {
  /** Dotted path of the offending field, e.g. "background.0.color". */
  field: string;
  /** The rule it broke, in words. */
  rule: string;
}

export class DesignError extends Error {
  readonly issues: DesignIssue[];
  constructor(issues: DesignIssue[]) {
    const first = issues[0];
    super(first ? `${first.field || 'design'}: ${first.rule}` : 'invalid design');
    this.name = 'DesignError';
    this.issues = issues;
  }
  /** The first issue's field; "design" when the whole document is wrong (as the message says). */
  get field(): string {
    return this.issues[0]?.field || 'design';
  }
}
