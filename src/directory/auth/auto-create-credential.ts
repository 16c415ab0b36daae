import type { User } from '../../domain/model.js';
import type { CredentialKind } from './credential.js';

/**
 * Auto-create on login (DESIGN §9; the connector implements it): a login name pgdir does not know,
 * whose password the external directory accepts, becomes a mirrored user. `{ refused }` for every
 * "no"; throws DirectoryError('unavailable') when the source cannot answer (LDAP 52, HTTP 503).
 */
export interface AutoCreator {
  autoCreate(login: string, password: string): Promise<{ readonly created: User } | { readonly refused: string }>;
}

/** An unknown login the external source accepts: created, and signed in as the new user. */
export function autoCreateCredential(creator: AutoCreator): CredentialKind {
  return {
    name: 'auto_create',
    async check(account, given) {
      if (account.kind !== 'unknown' || account.login === undefined) return undefined;
      const outcome = await creator.autoCreate(account.login, given);
      return 'created' in outcome ? { signedIn: { kind: 'user', user: outcome.created }, credential: 'auto_create', bypassSecondFactor: false } : undefined;
    },
  };
}
