/**
 * Two kinds of failure, told apart everywhere: a UserError is something the user can fix (bad input,
 * bad config, unreadable file) and is reported as a one-line instruction; anything else is our bug and
 * keeps its stack.
 */
export interface UserErrorDetails {
  file?: string;
  line?: number;
  column?: number;
  /** The config key or input name at fault. */
  key?: string;
  /** What to do about it. */
  hint?: string;
  cause?: unknown;
}

export class UserError extends Error {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly key?: string;
  readonly hint?: string;

  constructor(message: string, details: UserErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'UserError';
    this.file = details.file;
    this.line = details.line;
    this.column = details.column;
    this.key = details.key;
    this.hint = details.hint;
  }

  /** `file:line:column: message (key 'k'). hint` on one line. */
  format(): string {
    let where = '';
    if (this.file) {
      where = this.file;
      if (this.line !== undefined) where += `:${this.line}`;
      if (this.line !== undefined && this.column !== undefined) where += `:${this.column}`;
      where += ': ';
    }
    const key = this.key ? ` (key '${this.key}')` : '';
    const hint = this.hint ? `. ${this.hint}` : '';
    return `${where}${this.message}${key}${hint}`;
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

/** Thrown when work is cancelled through the context's signal. */
export class CancelledError extends Error {
  constructor(message = 'cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}
