import type { AdminSecret } from './admin-secret.js';
import type { CredentialKind } from './credential.js';
import { andThen } from '../../domain/maybe-async.js';

/**
 * The directory admin's secret (`cn=admin,ou=system`; salted SHA-256, admin-secret.ts explains why
 * not bcrypt). Answers synchronously unless the secret is being re-read after a change.
 */
export function adminSecretCredential(secret: AdminSecret): CredentialKind {
  return {
    name: 'admin_secret',
    check(account, given) {
      if (account.kind !== 'admin') return undefined;
      return andThen(secret.verify(given), (ok) => (ok ? { signedIn: account, credential: 'admin_secret', bypassSecondFactor: true } : undefined));
    },
  };
}
