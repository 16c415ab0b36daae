import type { CredentialKind } from './credential.js';

/**
 * A user's own password (bcrypt). An unknown account runs the same verify against a dummy hash
 * (password-hasher.ts), so nobody learns from the time which accounts exist (DESIGN §4). Users
 * mirrored from an external directory are checked there instead (pass-through-credential.ts).
 */
export function passwordCredential(options: { readonly passThrough: boolean }): CredentialKind {
  return {
    name: 'password',
    async check(account, given, { hasher }) {
      if (account.kind === 'unknown') return void (await hasher.verify(given, undefined));
      if (account.kind !== 'user' || (options.passThrough && account.user.source === 'ldap')) return undefined;
      return (await hasher.verify(given, account.user.passwordHash)) ? { signedIn: account, credential: 'password', bypassSecondFactor: false } : undefined;
    },
  };
}
