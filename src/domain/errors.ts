import { ResultCode } from './result-code.js';

/**
 * Every error raised by pgdir's own code carries both its LDAP result code and its HTTP status, so
 * that exactly one place per protocol turns it into bytes (DESIGN §2.6).
 */
export type ErrorKind =
  | 'invalid' // bad input: 400 / LDAP constraintViolation
  | 'unauthenticated' // 401 / invalidCredentials
  | 'forbidden' // 403 / insufficientAccessRights
  | 'not_found' // 404 / noSuchObject
  | 'conflict' // 409 / entryAlreadyExists
  | 'unavailable' // 503 / unavailable
  | 'busy' // 429 / busy: too much work queued (sign-in attempts); try again shortly
  | 'internal'; // 500 / other

const DEFAULTS: Record<ErrorKind, { status: number; resultCode: ResultCode }> = {
  invalid: { status: 400, resultCode: ResultCode.constraintViolation },
  unauthenticated: { status: 401, resultCode: ResultCode.invalidCredentials },
  forbidden: { status: 403, resultCode: ResultCode.insufficientAccessRights },
  not_found: { status: 404, resultCode: ResultCode.noSuchObject },
  conflict: { status: 409, resultCode: ResultCode.entryAlreadyExists },
  unavailable: { status: 503, resultCode: ResultCode.unavailable },
  busy: { status: 429, resultCode: ResultCode.busy },
  internal: { status: 500, resultCode: ResultCode.other },
};

export interface DirectoryErrorOptions {
  /** Name of the offending input field (API `error.field`, CLI flag). */
  field?: string;
  /** Overrides the LDAP result code implied by the kind. */
  resultCode?: ResultCode;
  cause?: unknown;
}

export class DirectoryError extends Error {
  readonly kind: ErrorKind;
  readonly status: number;
  readonly resultCode: ResultCode;
  readonly field: string | undefined;

  constructor(kind: ErrorKind, message: string, options: DirectoryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DirectoryError';
    this.kind = kind;
    this.status = DEFAULTS[kind].status;
    this.resultCode = options.resultCode ?? DEFAULTS[kind].resultCode;
    this.field = options.field;
  }
}

/** Protocol-level failure inside the LDAP layer: carries only a result code. */
export class LdapError extends Error {
  readonly resultCode: ResultCode;
  readonly matchedDN: string;
  constructor(resultCode: ResultCode, message = '', matchedDN = '') {
    super(message);
    this.name = 'LdapError';
    this.resultCode = resultCode;
    this.matchedDN = matchedDN;
  }
}

export const invalid = (message: string, field?: string): DirectoryError =>
  new DirectoryError('invalid', message, field === undefined ? {} : { field });
export const conflict = (message: string, field?: string): DirectoryError =>
  new DirectoryError('conflict', message, field === undefined ? {} : { field });
export const notFound = (message: string): DirectoryError => new DirectoryError('not_found', message);
export const forbidden = (message: string): DirectoryError => new DirectoryError('forbidden', message);
