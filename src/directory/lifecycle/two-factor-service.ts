import { conflict, DirectoryError, invalid } from '../../domain/errors.js';
import type { User } from '../../domain/model.js';
import { assertMay } from '../../domain/permissions.js';
import type { Store } from '../../store/store.js';
import { actorLabel, type Actor } from '../../domain/actor.js';
import type { PasswordHasher } from '../../crypto/password-hasher.js';
import { readLdapTotpRequired } from '../settings/ldap-totp.js';
import { resolveUserFor } from '../users/user-ref.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import { matchTotp, newTotpSecret, otpauthUrl } from '../../crypto/totp.js';


export interface TwoFactorService {
  /** A user's code (RFC 6238, ±1 step), accepted once: a replayed or older step is refused. */
  verify(user: User, code: string): Promise<boolean>;
  /** Starts enrolment: a new pending secret (replacing an earlier pending one). */
  newSecret(user: User): Promise<{ secret: string; otpauthUrl: string }>;
  enable(user: User, code: string, ip: string): Promise<User>;
  /** The user turns 2FA off, proving their password. */
  disable(user: User, password: string, ip: string): Promise<User>;
  /** A manager turns someone's 2FA off (lost device). */
  disableFor(ref: string, actor: Actor, ip: string): Promise<User>;
  ldapRequired(): Promise<boolean>;
}

export interface TwoFactorDeps {
  readonly store: Store;
  readonly hasher: PasswordHasher;
  readonly box: SecretBox;
  /** As authenticator apps show it (totpIssuer in directory-services.ts). */
  readonly issuer: string;
  readonly now?: () => number;
}

export function createTwoFactorService(deps: TwoFactorDeps): TwoFactorService {
  const { store, hasher, box } = deps;
  const now = deps.now ?? Date.now;

  async function matches(user: User, code: string): Promise<boolean> {
    const sealed = await store.lifecycle.totpSecret(user.id);
    if (sealed === undefined) return false;
    const step = matchTotp(await box.open(sealed), code.trim(), now());
    return step !== undefined && (await store.lifecycle.consumeTotpStep(user.id, step));
  }

  async function turnOff(user: User, actor: string, ip: string, action: string): Promise<User> {
    await store.lifecycle.setTotpSecret(user.id, null);
    return store.write(async (tx) => {
      const updated = await tx.updateUser(user.id, { totpEnabled: false });
      await tx.appendAudit({ actor, action, target: user.id, ip });
      return updated;
    });
  }

  return {
    verify: async (user, code) => user.totpEnabled && (await matches(user, code)),
    async newSecret(user) {
      if (user.totpEnabled) throw conflict('two-factor authentication is already on; disable it first', 'totp');
      const secret = newTotpSecret();
      await store.lifecycle.setTotpSecret(user.id, await box.seal(secret));
      return { secret, otpauthUrl: otpauthUrl(secret, deps.issuer, user.username ?? user.email) };
    },
    async enable(user, code, ip) {
      if (user.totpEnabled) throw conflict('two-factor authentication is already on', 'totp');
      if ((await store.lifecycle.totpSecret(user.id)) === undefined) throw conflict('ask for a secret first (POST /api/v1/profile/2fa/secret)', 'totp');
      if (!(await matches(user, code))) throw invalid('the code is wrong or was already used', 'totpToken');
      return store.write(async (tx) => {
        const updated = await tx.updateUser(user.id, { totpEnabled: true });
        await tx.appendAudit({ actor: user.id, action: 'user.totp.enable', target: user.id, ip });
        return updated;
      });
    },
    async disable(user, password, ip) {
      if (!(await hasher.verify(password, user.passwordHash))) {
        throw new DirectoryError('invalid', 'the password is wrong', { field: 'password' });
      }
      if (!user.totpEnabled) throw conflict('two-factor authentication is not on', 'totp');
      return turnOff(user, user.id, ip, 'user.totp.disable');
    },
    async disableFor(ref, actor, ip) {
      const user = await resolveUserFor(store, ref, actor);
      assertMay(actor, 'user.disableTotp', { id: user.id, role: user.role });
      if (!user.totpEnabled) throw conflict('two-factor authentication is not on for this user', 'totp');
      return turnOff(user, actorLabel(actor), ip, 'user.totp.disable');
    },
    async ldapRequired() {
      return readLdapTotpRequired(store);
    },
  };
}
