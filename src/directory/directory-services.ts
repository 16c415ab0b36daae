import type { Mailer, MailerFactory } from './lifecycle/mailer.js';
import type { Actor } from '../domain/actor.js';
import type { Store } from '../store/store.js';
import { createProtectedServices, type ActorServices } from './access/actor-services.js';
import { createAppPasswords, type AppPasswords } from './auth/app-passwords.js';
import { createOidcSettings, type OidcSettings } from './sso/oidc-settings.js';
import { fileKey, secretBoxOf } from '../crypto/secret-box.js';
import type { OidcConfig } from '../config/schema.js';
import { hkdf, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createGroupService, type GroupService } from './groups/group-service.js';
import { createLifecycleService, type LifecycleService } from './lifecycle/lifecycle-service.js';
import { totpIssuer } from '../crypto/totp.js';
import { createPasswordHasher, type PasswordHasher } from '../crypto/password-hasher.js';
import { createUserService, type UserService } from './users/user-service.js';
import { createUserListing, type UserListing } from './users/user-listing.js';
import { createAppServices, type AppServices } from './apps/app-access-services.js';
import { createTeamService, type TeamService } from './teams/team-service.js';

/** The one set of use cases the CLI, the HTTP API and LDAP share (one hasher, one store). */
export interface DirectoryServices {
  readonly store: Store;
  readonly hasher: PasswordHasher;
  readonly users: UserService;
  /** User listings answered from the daemon's in-memory view once one is attached (the console's Users list, who may use an app). */
  readonly listing: UserListing;
  readonly groups: GroupService;
  readonly lifecycle: LifecycleService;
  /** Teams, grants and permission levels (issue 13). */
  readonly teams: TeamService;
  /** LDAP-only passwords of users (issue 14). */
  readonly appPasswords: AppPasswords;
  /** OpenID Connect sign-in settings (issue 14). */
  readonly oidc: OidcSettings;
  /** The use cases behind may(): service accounts, a user's groups (access/actor-services.ts). */
  as(actor: Actor): ActorServices;
  /** Applications (issue 16), behind may(). */
  readonly apps: AppServices;
  /**
   * A 32-byte key for one purpose, derived (HKDF-SHA256, RFC 5869) from the data directory's
   * `totp.key`: every replica sharing that file derives the same key (per process without one).
   */
  deriveKey(purpose: string): Promise<Buffer>;
}

export interface DirectoryServicesOptions {
  readonly store: Store;
  /** Defaults to a hasher at `bcryptCost`. */
  readonly hasher?: PasswordHasher;
  /** bcrypt cost for the default hasher (DESIGN §7: default 10). */
  readonly bcryptCost?: number;
  /** Where the TOTP encryption key is kept (`totp.key`). */
  readonly dataDir?: string;
  /** Sends invite, reset and 2FA mails (config `smtp`). */
  readonly mailer?: Mailer | undefined;
  /** Makes the mailer for an SMTP server stored through the API (mail/smtp-mailer.ts). */
  readonly mailerFor?: MailerFactory | undefined;
  readonly publicUrl?: string | undefined;
  /** Config `name`: authenticator apps list 2FA entries under "pgdir <name>". */
  readonly name?: string | undefined;
  /** `ldap.builtin_groups`: the built-in groups' LDAP names, reserved for new groups. */
  readonly builtinGroupNames?: readonly string[];
  /** `ldap.suffix`: applications' bind and base DNs are shown under it. */
  readonly ldapSuffix?: string;
  /** `sso.oidc` of the YAML: pins the OpenID Connect settings. */
  readonly oidc?: OidcConfig | undefined;
}

export function createDirectoryServices(options: DirectoryServicesOptions): DirectoryServices {
  const { store } = options;
  const hasher = options.hasher ?? createPasswordHasher({ cost: options.bcryptCost ?? 10 });
  const protectedServices = createProtectedServices(store, hasher);
  const rootKey = keyLoader(options.dataDir);
  const listing = createUserListing(store);
  return {
    listing,
    deriveKey: async (purpose) => derive(await rootKey(), purpose),
    store,
    hasher,
    as: (actor) => protectedServices.forActor(actor),
    apps: createAppServices(store, hasher, options.ldapSuffix ?? 'dc=example,dc=com', listing),
    users: createUserService({ store, hasher }),
    groups: createGroupService({ store, builtinNames: options.builtinGroupNames ?? [] }),
    teams: createTeamService({ store, builtinNames: options.builtinGroupNames ?? [] }),
    appPasswords: createAppPasswords(store),
    oidc: createOidcSettings(store, sealingBox(options.dataDir), options.oidc, options.builtinGroupNames ?? []),
    lifecycle: createLifecycleService({ store, hasher, dataDir: options.dataDir, mailer: options.mailer, mailerFor: options.mailerFor, publicUrl: options.publicUrl, issuer: totpIssuer(options.name) }),
  };
}

/** The data directory's key (`totp.key`, shared with 2FA and SMTP secrets); per process without one (tests). */
function sealingBox(dataDir: string | undefined) {
  return secretBoxOf(keyLoader(dataDir));
}

function keyLoader(dataDir: string | undefined): () => Promise<Buffer> {
  const ephemeral = randomBytes(32);
  let key: Promise<Buffer> | undefined;
  return () => (key ??= dataDir === undefined ? Promise.resolve(ephemeral) : fileKey(join(dataDir, 'totp.key')));
}

const derive = (root: Buffer, purpose: string): Promise<Buffer> =>
  new Promise((resolve, reject) => hkdf('sha256', root, Buffer.alloc(0), `pgdir ${purpose}`, 32, (error, key) => (error === null ? resolve(Buffer.from(key)) : reject(error))));
