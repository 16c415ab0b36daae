import type { Actor } from '../../domain/actor.js';
import type { Group, ServiceAccount } from '../../domain/model.js';
import { assertMay, type Action } from '../../domain/permissions.js';
import type { Store, StoreReader } from '../../store/store.js';
import { assertMayByLevel } from '../teams/level-check.js';
import { setUserGroups } from '../groups/set-user-groups.js';
import type { PasswordHasher } from '../../crypto/password-hasher.js';
import type { ServiceAccountInput, ServiceAccountService } from '../service-accounts/service-account-service.js';
import { createServiceAccounts } from '../service-accounts/service-account-service.js';
import type { DirectoryServerSettings, Effective, UserDirectorySettings } from '../settings/directory-settings.js';
import type { SettingsUseCases } from '../settings/settings-service.js';
import type { RegistrationSettings } from '../sso/registration-settings.js';
import type { EffectiveSaml, SamlChanges } from '../sso/saml-settings.js';

/**
 * The directory's use cases as one actor may call them (lldap's AccessControlledBackendHandler is
 * the model): every method asks may() — the single rule table in domain/permissions.ts — before
 * it runs, so a caller holding these services cannot forget the check. The unchecked use cases
 * are not handed to the edges.
 */
export interface ActorServices {
  readonly actor: Actor;
  readonly serviceAccounts: {
    list(): Promise<ServiceAccount[]>;
    get(ref: string): Promise<ServiceAccount>;
    create(input: ServiceAccountInput): Promise<{ account: ServiceAccount; secret: string }>;
    update(ref: string, changes: Omit<ServiceAccountInput, 'name'>): Promise<ServiceAccount>;
    rotate(ref: string): Promise<{ account: ServiceAccount; secret: string }>;
    remove(ref: string): Promise<ServiceAccount>;
  };
  /** `PUT /users/:id/groups`: replaces the groups a user is in. */
  setUserGroups(userRef: string, groupRefs: readonly string[]): Promise<Group[]>;
}

export interface ActorSettings {
  readonly secretLocked: boolean;
  directoryServer(): Promise<Effective<DirectoryServerSettings>>;
  setDirectoryServer(changes: Partial<DirectoryServerSettings>): Promise<Effective<DirectoryServerSettings>>;
  userDirectory(): Promise<Effective<UserDirectorySettings>>;
  setUserDirectory(changes: Partial<UserDirectorySettings>): Promise<Effective<UserDirectorySettings>>;
  ldapTotpRequired(): Promise<boolean>;
  setLdapTotpRequired(required: boolean, ip: string): Promise<void>;
  rotateAdminSecret(): Promise<string>;
  /** Allowed domains of self-registration (issue 14: the organisation admin's). */
  registration(): Promise<RegistrationSettings>;
  setRegistration(changes: { allowedDomains?: unknown }): Promise<RegistrationSettings>;
  saml(): Promise<EffectiveSaml>;
  setSaml(changes: SamlChanges): Promise<EffectiveSaml>;
}

/** `fn` behind may(actor, action): the check runs first, before any argument is looked at. */
const guard =
  (actor: Actor, action: Action) =>
  <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
  async (...args: A): Promise<R> => {
    assertMay(actor, action);
    return fn(...args);
  };

/** `fn` behind may(actor, action) with the actor's organisation level read from the store first. */
const levelGuard =
  (reader: StoreReader, actor: Actor, action: Action) =>
  <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
  async (...args: A): Promise<R> => {
    await assertMayByLevel(reader, actor, action);
    return fn(...args);
  };

/** The use cases needing an access check, built once per process (forActor wraps them per call). */
export function createProtectedServices(store: Store, hasher: PasswordHasher) {
  const accounts: ServiceAccountService = createServiceAccounts(store, hasher);
  return {
    forActor(actor: Actor): ActorServices {
      const manage = guard(actor, 'serviceAccount.manage');
      return {
        actor,
        serviceAccounts: {
          list: manage(accounts.list),
          get: manage(accounts.get),
          create: manage((input: ServiceAccountInput) => accounts.create(input, actor)),
          update: manage((ref: string, changes: Omit<ServiceAccountInput, 'name'>) => accounts.update(ref, changes, actor)),
          rotate: manage((ref: string) => accounts.rotate(ref, actor)),
          remove: manage((ref: string) => accounts.remove(ref, actor)),
        },
        setUserGroups: guard(actor, 'group.setMembers')((userRef: string, groupRefs: readonly string[]) => setUserGroups(store, userRef, groupRefs, actor)),
      };
    },
  };
}

/**
 * The settings use cases for `actor`: reading needs settings.read, every change settings.write;
 * allowed domains and SAML need sso.read / sso.write, which organisation admins hold too.
 */
export function settingsForActor(settings: SettingsUseCases, actor: Actor, reader: StoreReader): ActorSettings {
  const read = guard(actor, 'settings.read');
  const write = guard(actor, 'settings.write');
  const ssoRead = levelGuard(reader, actor, 'sso.read');
  const ssoWrite = levelGuard(reader, actor, 'sso.write');
  return {
    secretLocked: settings.secretLocked,
    directoryServer: read(settings.directoryServer),
    setDirectoryServer: write((changes: Partial<DirectoryServerSettings>) => settings.setDirectoryServer(changes, actor)),
    userDirectory: read(settings.userDirectory),
    setUserDirectory: write((changes: Partial<UserDirectorySettings>) => settings.setUserDirectory(changes, actor)),
    ldapTotpRequired: read(settings.ldapTotpRequired),
    setLdapTotpRequired: write((required: boolean, ip: string) => settings.setLdapTotpRequired(required, actor, ip)),
    rotateAdminSecret: write(() => settings.rotateAdminSecret(actor)),
    registration: ssoRead(settings.registration),
    setRegistration: ssoWrite((changes: { allowedDomains?: unknown }) => settings.setRegistration(changes, actor)),
    saml: ssoRead(settings.saml),
    setSaml: ssoWrite((changes: SamlChanges) => settings.setSaml(changes, actor)),
  };
}
