import type { User } from '../../domain/model.js';
import type { CredentialKind } from './credential.js';

/** lifecycle/temporary-passwords.ts: which temporary password of the user this is (used up if one-time). */
export interface TemporaryCheck {
  check(user: User, password: string, via: 'http' | 'ldap', ip: string): Promise<string | undefined>;
}

/**
 * Impersonation and owner one-time passwords (DESIGN §7): they stand in for an active user's own
 * password and second factor; every use is audited by temporary-passwords.ts.
 */
export function temporaryCredential(temporary: TemporaryCheck): CredentialKind {
  return {
    name: 'temporary',
    async check(account, given, { via, ip }) {
      if (account.kind !== 'user' || !account.user.active) return undefined;
      const kind = await temporary.check(account.user, given, via, ip);
      return kind === undefined ? undefined : { signedIn: account, credential: kind, bypassSecondFactor: true };
    },
  };
}
