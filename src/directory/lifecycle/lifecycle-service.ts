import { join } from 'node:path';
import type { Mailer, MailerFactory } from './mailer.js';
import type { Store } from '../../store/store.js';
import type { UserTokenKind } from '../../store/lifecycle-store.js';
import type { PasswordHasher } from '../../crypto/password-hasher.js';
import { createAccountTokens, type AccountTokens } from './account-tokens.js';
import { fileKey, secretBoxOf } from '../../crypto/secret-box.js';
import { createTemporaryPasswords, type TemporaryPasswords } from './temporary-passwords.js';
import { createMailSettings, type MailSettings } from './smtp-settings.js';
import { totpIssuer } from '../../crypto/totp.js';
import { createTwoFactorService, type TwoFactorService } from './two-factor-service.js';
import { createRegistration, type Registration } from './registration.js';
import { randomBytes } from 'node:crypto';

/** Invites, password resets, two-factor, impersonation and owner recovery (DESIGN §7). */
export interface LifecycleService {
  readonly twoFactor: TwoFactorService;
  readonly tokens: AccountTokens;
  readonly temporary: TemporaryPasswords;
  /** SMTP from the YAML or the settings; without it every flow hands out links instead. */
  readonly mail: MailSettings;
  /** `/register` (issue 14). */
  readonly registration: Registration;
}

export interface LifecycleOptions {
  readonly store: Store;
  readonly hasher: PasswordHasher;
  /** The TOTP key lives in `<dataDir>/totp.key`; without a data directory (tests) it is per process. */
  readonly dataDir?: string | undefined;
  readonly lifetimes?: Partial<Record<UserTokenKind, number>>;
  readonly now?: () => number;
  readonly mailer?: Mailer | undefined;
  /** Makes the mailer for an SMTP server stored through the API (the mail adapter's). */
  readonly mailerFor?: MailerFactory | undefined;
  /** `smtp.public_url` of the YAML. */
  readonly publicUrl?: string | undefined;
  /** The TOTP issuer shown by authenticator apps (default "pgdir"). */
  readonly issuer?: string | undefined;
}

export function createLifecycleService(options: LifecycleOptions): LifecycleService {
  const { store, hasher, dataDir } = options;
  const ephemeral = randomBytes(32);
  const box = secretBoxOf(async () => (dataDir === undefined ? ephemeral : fileKey(join(dataDir, 'totp.key'))));
  const tokens = createAccountTokens({ store, hasher, ...(options.lifetimes === undefined ? {} : { lifetimes: options.lifetimes }) });
  const mail = createMailSettings(store, box, options.mailer, options.publicUrl, options.mailerFor);
  return {
    registration: createRegistration(store, hasher, mail),
    twoFactor: createTwoFactorService({ store, hasher, box, issuer: options.issuer ?? totpIssuer(undefined), ...(options.now === undefined ? {} : { now: options.now }) }),
    tokens,
    temporary: createTemporaryPasswords(store, tokens.issue),
    mail,
  };
}
