import { DirectoryError, LdapError } from '../domain/errors.js';
import { ResultCode } from '../domain/result-code.js';
import type { LdapResult } from './protocol.js';

/**
 * The one place where pgdir's errors become LDAPResults (DESIGN §2.6). Errors that are not ours
 * are returned as undefined so the connection server answers `other` (80) and logs them.
 */
export function errorResult(err: unknown): LdapResult | undefined {
  if (err instanceof LdapError) {
    return { resultCode: err.resultCode, matchedDN: err.matchedDN, diagnosticMessage: err.message };
  }
  if (err instanceof DirectoryError) {
    // Credential failures are always 49 with an empty message (DESIGN §4): never tell why.
    if (err.resultCode === ResultCode.invalidCredentials) return { resultCode: err.resultCode };
    return { resultCode: err.resultCode, diagnosticMessage: err.message };
  }
  return undefined;
}
