import { DirectoryError, type ErrorKind } from '../domain/errors.js';

/**
 * Failures that exist only at the HTTP edge (body too large, wrong media type, unknown method).
 * Everything else is a DirectoryError raised where the decision is made (DESIGN §2.6).
 */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  /** Every problem found in the request's input (the first is `message` and `field`). */
  readonly problems: readonly Problem[] | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { field?: string; headers?: Record<string, string>; problems?: readonly Problem[] } = {},
  ) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.field = options.field;
    this.headers = options.headers ?? {};
    this.problems = options.problems;
  }
}

/** One thing wrong with a request's query or body; `field` is absent when the whole input is at fault. */
export interface Problem {
  readonly field?: string;
  readonly message: string;
}

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly field?: string; readonly problems?: readonly Problem[] };
}

export interface ErrorResponse {
  readonly status: number;
  readonly body: ErrorBody;
  readonly headers: Readonly<Record<string, string>>;
  /** True for errors nobody asked for (500): logged with their stack. */
  readonly unexpected: boolean;
}

const CODES: Record<ErrorKind, string> = {
  invalid: 'invalid',
  unauthenticated: 'unauthenticated',
  forbidden: 'forbidden',
  not_found: 'not_found',
  conflict: 'conflict',
  unavailable: 'unavailable',
  busy: 'busy',
  internal: 'internal',
};

const body = (code: string, message: string, field: string | undefined, problems?: readonly Problem[]): ErrorBody => ({
  error: { code, message, ...(field === undefined ? {} : { field }), ...(problems === undefined ? {} : { problems }) },
});

/** The one place that turns any thrown value into the API's JSON error (DESIGN §8). */
export function toErrorResponse(error: unknown): ErrorResponse {
  if (error instanceof HttpError) {
    return { status: error.status, body: body(error.code, error.message, error.field, error.problems), headers: error.headers, unexpected: false };
  }
  if (error instanceof DirectoryError) {
    const headers: Record<string, string> = error.status === 401 ? { 'www-authenticate': 'Bearer' } : error.kind === 'busy' ? { 'retry-after': '1' } : {};
    // An internal error's message may name tables or statements: keep it for the log only.
    const message = error.kind === 'internal' ? 'internal error' : error.message;
    return { status: error.status, body: body(CODES[error.kind], message, error.field), headers, unexpected: error.kind === 'internal' };
  }
  return { status: 500, body: body('internal', 'internal error', undefined), headers: {}, unexpected: true };
}
