import type { User } from '../../domain/model.js';
import type { CredentialKind } from './credential.js';

/**
 * Checks the password of a user mirrored from an external directory against that directory
 * (DESIGN §9). Resolves false for wrong credentials; throws DirectoryError('unavailable') when the
 * source cannot be reached, which binds answer with 52 — never a false success.
 */
export interface ExternalPasswordVerifier {
  verify(user: User, password: string): Promise<boolean>;
}

/** Users with source `ldap`, checked by the connector's source (password-credential.ts skips them). */
export function passThroughCredential(external: ExternalPasswordVerifier): CredentialKind {
  return {
    name: 'pass_through',
    async check(account, given) {
      if (account.kind !== 'user' || account.user.source !== 'ldap') return undefined;
      return (await external.verify(account.user, given)) ? { signedIn: account, credential: 'pass_through', bypassSecondFactor: false } : undefined;
    },
  };
}
