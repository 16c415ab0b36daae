import { ResultCode } from '../../domain/result-code.js';
import type { LdapResult } from '../protocol.js';

/**
 * Add, Modify, Delete and ModifyDN over LDAP: the HTTP API and the CLI are the write paths, so
 * these answer unwillingToPerform (DESIGN §5) without touching anything.
 */
export const WRITE_REFUSED: LdapResult = Object.freeze({
  resultCode: ResultCode.unwillingToPerform,
  diagnosticMessage: 'pgdir is read-only over LDAP; use the HTTP API or the pgdir CLI to make changes',
});
