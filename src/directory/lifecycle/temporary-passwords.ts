import { notFound } from '../../domain/errors.js';
import type { User } from '../../domain/model.js';
import { assertMay } from '../../domain/permissions.js';
import type { Store } from '../../store/store.js';
import { actorLabel, type Actor } from '../../domain/actor.js';
import { resolveUserFor } from '../users/user-ref.js';
import { hashSecret, type Issued, type tokenIssuer } from './account-tokens.js';

export type TemporaryKind = 'impersonation' | 'owner_login';

/**
 * Server-made passwords that stand in for a user's own (DESIGN §7): an impersonation password
 * (a manager acting as the user, until it expires) and the owner's one-time recovery password.
 * Both bypass 2FA, neither touches the user's password, and every use is audited.
 */
export interface TemporaryPasswords {
  /** Which temporary password of `user` this is, if any; a one-time password is used up here. */
  check(user: User, password: string, via: 'http' | 'ldap', ip: string): Promise<TemporaryKind | undefined>;
  impersonate(ref: string, actor: Actor, ip: string): Promise<Issued>;
  /** `pgdir owner-login`: a one-time password for the (first active) owner, valid for 1 h. */
  ownerLogin(actor: Actor): Promise<Issued>;
}

export function createTemporaryPasswords(store: Store, issue: ReturnType<typeof tokenIssuer>): TemporaryPasswords {
  const audit = (actor: string, action: string, target: string, ip: string | null, details: Record<string, unknown> = {}) =>
    store.write((tx) => tx.appendAudit({ actor, action, target, ip, details }));

  return {
    async check(user, password, via, ip) {
      if (password.length !== 43) return undefined; // 32 bytes base64url: nothing else needs a lookup
      const hash = hashSecret(password);
      const impersonation = await store.lifecycle.findToken('impersonation', hash);
      if (impersonation?.userId === user.id) {
        await audit(impersonation.createdBy ?? 'unknown', 'user.impersonation.use', user.id, ip, { via });
        return 'impersonation';
      }
      const once = await store.lifecycle.findToken('owner_login', hash);
      if (once?.userId === user.id && (await store.lifecycle.useToken(once.id))) {
        await audit('owner-login', 'user.owner_login.use', user.id, ip, { via });
        return 'owner_login';
      }
      return undefined;
    },
    async impersonate(ref, actor, ip) {
      const user = await resolveUserFor(store, ref, actor);
      assertMay(actor, 'user.impersonate', { id: user.id, role: user.role });
      const issued = await issue(user, 'impersonation', actorLabel(actor));
      await audit(actorLabel(actor), 'user.impersonate', user.id, ip, { expiresAt: issued.expiresAt.toISOString() });
      return issued;
    },
    async ownerLogin(actor) {
      const { users } = await store.listUsers({ role: 'owner', active: true, limit: 1 });
      const owner = users[0];
      if (owner === undefined) throw notFound('there is no active owner');
      const issued = await issue(owner, 'owner_login', actorLabel(actor));
      await audit(actorLabel(actor), 'user.owner_login', owner.id, null);
      return issued;
    },
  };
}
