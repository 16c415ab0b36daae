import type { AdminSecret } from './admin-secret.js';
import type { CredentialKind } from './credential.js';

/** The directory admin's secret (`cn=admin,ou=system`; salted SHA-256, admin-secret.ts explains why not bcrypt). */
export function adminSecretCredential(secret: AdminSecret): CredentialKind {
  return {
    name: 'admin_secret',
    async check(account, given) {
      if (account.kind !== 'admin') return undefined;
      return (await secret.verify(Buffer.from(given, 'utf8'))) ? { signedIn: account, credential: 'admin_secret', bypassSecondFactor: true } : undefined;
    },
  };
}
