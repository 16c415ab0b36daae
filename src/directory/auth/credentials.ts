import type { AdminSecret } from './admin-secret.js';
import { adminSecretCredential } from './admin-secret-credential.js';
import { appPasswordCredential, type AppPasswordCheck } from './app-password-credential.js';
import { autoCreateCredential, type AutoCreator } from './auto-create-credential.js';
import type { CredentialKind } from './credential.js';
import { passThroughCredential, type ExternalPasswordVerifier } from './pass-through-credential.js';
import { passwordCredential } from './password-credential.js';
import { serviceSecretCredential } from './service-secret-credential.js';
import { temporaryCredential, type TemporaryCheck } from './temporary-credential.js';

/** What a door has to check credentials with; a kind whose source is absent is left out. */
export interface CredentialSources {
  readonly adminSecret?: AdminSecret | undefined;
  readonly external?: ExternalPasswordVerifier | undefined;
  readonly temporary?: TemporaryCheck | undefined;
  readonly autoCreate?: AutoCreator | undefined;
  /** LDAP binds only (issue 14). */
  readonly appPasswords?: AppPasswordCheck | undefined;
}

/**
 * The credential kinds in the order they are tried (DESIGN §4, §7, §9): the first that proves the
 * account wins. A new kind is one file implementing CredentialKind, added here.
 */
export function credentialKinds(sources: CredentialSources): CredentialKind[] {
  const kinds: (CredentialKind | undefined)[] = [
    sources.adminSecret && adminSecretCredential(sources.adminSecret),
    serviceSecretCredential,
    // Before the password: an app-password bind then needs no bcrypt (app-password-credential.ts).
    sources.appPasswords && appPasswordCredential(sources.appPasswords),
    sources.external && passThroughCredential(sources.external),
    passwordCredential({ passThrough: sources.external !== undefined }),
    sources.temporary && temporaryCredential(sources.temporary),
    sources.autoCreate && autoCreateCredential(sources.autoCreate),
  ];
  return kinds.filter((kind): kind is CredentialKind => kind !== undefined);
}
