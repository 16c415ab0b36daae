import type { Actor } from '../../domain/actor.js';
import { conflict } from '../../domain/errors.js';
import type { Store } from '../../store/store.js';
import { generateSecret, saveAdminSecret } from '../auth/admin-secret.js';
import {
  directoryServerSection,
  readSettings,
  userDirectorySection,
  writeDirectoryServer,
  writeUserDirectory,
  type DirectoryServerSettings,
  type Effective,
  type PinnedSettings,
  type UserDirectorySettings,
} from './directory-settings.js';
import { readLdapTotpRequired, writeLdapTotpRequired } from './ldap-totp.js';
import { readRegistrationSettings, writeRegistrationSettings, type RegistrationSettings } from '../sso/registration-settings.js';

export interface SettingsServiceOptions {
  readonly store: Store;
  /** What the YAML pins (pinned-settings.ts). */
  readonly pinned: PinnedSettings;
  /** `ldap.allowlist` of the YAML as text, the allowlist until one is stored. */
  readonly defaultAllowlist: string;
}

/**
 * The settings use cases, unchecked. Callers get them through forActor() (access/actor-services.ts),
 * which asks may() before each one, so no route can forget the check.
 */
export function createSettingsUseCases(options: SettingsServiceOptions) {
  const { store, pinned } = options;
  const serverSection = directoryServerSection(pinned, options.defaultAllowlist);
  const userSection = userDirectorySection(pinned);
  return {
    /** The directory admin secret is pinned by `ldap.admin_password(_file)`. */
    secretLocked: pinned.adminSecret === true,
    directoryServer: (): Promise<Effective<DirectoryServerSettings>> => readSettings(store, serverSection),
    setDirectoryServer: async (changes: Partial<DirectoryServerSettings>, actor: Actor) => (await writeDirectoryServer(store, serverSection, changes, actor)).after,
    userDirectory: (): Promise<Effective<UserDirectorySettings>> => readSettings(store, userSection),
    setUserDirectory: (changes: Partial<UserDirectorySettings>, actor: Actor) => writeUserDirectory(store, userSection, changes, actor),
    ldapTotpRequired: (): Promise<boolean> => readLdapTotpRequired(store),
    setLdapTotpRequired: (required: boolean, actor: Actor, ip: string): Promise<void> => writeLdapTotpRequired(store, required, actor, ip),
    /** Self-registration's allowed domains (issue 14). */
    registration: (): Promise<RegistrationSettings> => readRegistrationSettings(store),
    setRegistration: (changes: { allowedDomains?: unknown }, actor: Actor): Promise<RegistrationSettings> => writeRegistrationSettings(store, changes, actor),
    /** A new secret for cn=admin,ou=system, shown once; 409 while the YAML pins it. */
    async rotateAdminSecret(actor: Actor): Promise<string> {
      if (pinned.adminSecret === true) throw conflict('the directory admin secret is set in the configuration file', 'secret');
      const secret = generateSecret();
      await saveAdminSecret(store, secret, actor);
      return secret;
    },
  };
}

export type SettingsUseCases = ReturnType<typeof createSettingsUseCases>;
