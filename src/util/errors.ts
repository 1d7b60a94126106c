/**
 * Known errors are the user's to fix: one clean line, exit 2. Anything else that escapes
 * a command is a bug in onevenv: stack trace, exit 3.
 */

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USER_ERROR = 2;
export const EXIT_INTERNAL = 3;
export const EXIT_INTERRUPTED = 130;

export interface Location {
  /** Path as shown to the user (repo-relative where possible). */
  file: string;
  line?: number;
  column?: number;
}

export class UserError extends Error {
  override readonly name = 'UserError';
  readonly location: Location | undefined;
  readonly fix: string | undefined;
  readonly exitCode: number;

  constructor(
    message: string,
    options: { location?: Location; fix?: string; exitCode?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.location = options.location;
    this.fix = options.fix;
    this.exitCode = options.exitCode ?? EXIT_USER_ERROR;
  }
}

/** Several problems found at once (config validation): each its own line. */
export class UserErrors extends Error {
  override readonly name = 'UserErrors';
  readonly errors: UserError[];
  constructor(errors: UserError[]) {
    super(errors.map((e) => formatUserError(e)).join('\n'));
    this.errors = errors;
  }
}

/** Thrown when the user interrupts (SIGINT); the CLI maps it to exit 130. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
  constructor(message = 'interrupted') {
    super(message);
  }
}

export function formatLocation(location: Location): string {
  let out = location.file;
  if (location.line !== undefined) {
    out += `:${location.line}`;
    if (location.column !== undefined) out += `:${location.column}`;
  }
  return out;
}

export function formatUserError(error: UserError): string {
  const where = error.location ? `${formatLocation(error.location)}: ` : '';
  const fix = error.fix ? ` (${error.fix})` : '';
  return `${where}${error.message}${fix}`;
}

export function isUserError(error: unknown): error is UserError | UserErrors {
  return error instanceof UserError || error instanceof UserErrors;
}
