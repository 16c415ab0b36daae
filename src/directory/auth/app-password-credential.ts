import type { CredentialKind } from './credential.js';

/** app-passwords.ts: the owner of the app password a secret is, if it is one (issue 14). */
export interface AppPasswordCheck {
  /** The app password's id and owner; looked up for every secret of the right shape, whoever binds. */
  lookup(secret: string): Promise<{ readonly id: string; readonly userId: string } | undefined>;
  /** Records a use (the last-used time; throttled). */
  used(id: string): void;
}

/**
 * App passwords (issue 14): LDAP only, for people who sign in elsewhere or cannot type a TOTP code
 * into their LDAP client, so they stand in for the second factor. Tried before the account's
 * password: an app-password bind costs a SHA-256 and one lookup, no bcrypt. An unknown account runs
 * the same lookup (and then the password kind's dummy hash), so a failure costs the same work
 * whether or not the account exists (DESIGN §4). Disabled users are not in the view: they resolve
 * to nobody, and their app passwords fail like any wrong secret.
 */
export function appPasswordCredential(appPasswords: AppPasswordCheck): CredentialKind {
  return {
    name: 'app_password',
    async check(account, given, { via }) {
      if (via !== 'ldap' || (account.kind !== 'user' && account.kind !== 'unknown')) return undefined;
      const found = await appPasswords.lookup(given);
      if (found === undefined || account.kind !== 'user' || found.userId !== account.user.id) return undefined;
      appPasswords.used(found.id);
      return { signedIn: account, credential: 'app_password', bypassSecondFactor: true };
    },
  };
}
