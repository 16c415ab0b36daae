import { serviceAccountAllows } from './service-account-source.js';
import type { CredentialKind } from './credential.js';

/** A service account's secret (DESIGN §3), accepted only from its allowed CIDRs. */
export const serviceSecretCredential: CredentialKind = {
  name: 'service_secret',
  async check(account, given, { hasher, ip }) {
    if (account.kind !== 'service') return undefined;
    if (!(await hasher.verify(given, account.account.secretHash))) return undefined;
    // The source is checked after the hash, so a bind from outside costs the same work.
    return serviceAccountAllows(account.account, ip) ? { signedIn: account, credential: 'service_secret', bypassSecondFactor: true } : { refused: 'source' };
  },
};
