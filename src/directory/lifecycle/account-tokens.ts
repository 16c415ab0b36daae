import { createHash, randomBytes } from 'node:crypto';
import { conflict, DirectoryError, invalid } from '../../domain/errors.js';
import type { User } from '../../domain/model.js';
import { checkPassword } from '../../domain/password-rules.js';
import { assertMay } from '../../domain/permissions.js';
import { normalizeUsername } from '../../domain/username.js';
import type { UserToken, UserTokenKind } from '../../store/lifecycle-store.js';
import type { Store } from '../../store/store.js';
import { actorLabel, type Actor } from '../../domain/actor.js';
import type { PasswordHasher } from '../../crypto/password-hasher.js';
import { assertLocalIdentity } from '../users/user-guards.js';
import { resolveUserFor } from '../users/user-ref.js';

const HOUR = 3_600_000;
export const LIFETIMES: Record<UserTokenKind, number> = { reset: 24 * HOUR, invite: 7 * 24 * HOUR, impersonation: 6 * HOUR, owner_login: HOUR };

/** 32 random bytes (DESIGN §7); only the SHA-256 is stored — 256 bits need no slow hash. */
const newSecret = (): string => randomBytes(32).toString('base64url');
export const hashSecret = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

const badLink = (what: string): DirectoryError => invalid(`the ${what} link is invalid, expired or already used`, 'token');

export interface Issued {
  readonly user: User;
  readonly secret: string;
  readonly expiresAt: Date;
}

export interface AccountTokenDeps {
  readonly store: Store;
  readonly hasher: PasswordHasher;
  readonly lifetimes?: Partial<Record<UserTokenKind, number>>;
}

/** Issues the kinds of one-time or short-lived secrets a user can be given; each replaces the last. */
export function tokenIssuer(deps: AccountTokenDeps) {
  const lifetime = (kind: UserTokenKind) => deps.lifetimes?.[kind] ?? LIFETIMES[kind];
  return async (user: User, kind: UserTokenKind, createdBy: string | null): Promise<Issued> => {
    const secret = newSecret();
    const token = await deps.store.lifecycle.replaceToken({ userId: user.id, kind, tokenHash: hashSecret(secret), expiresAt: new Date(Date.now() + lifetime(kind)), createdBy });
    return { user, secret, expiresAt: token.expiresAt };
  };
}

/**
 * A reset link counts only while the user is active and has not changed the password since it was
 * made (DESIGN §7: a password change or deactivation invalidates it).
 */
async function liveReset(store: Store, secret: string): Promise<{ token: UserToken; user: User } | undefined> {
  const token = await store.lifecycle.findToken('reset', hashSecret(secret));
  const user = token && (await store.getUser(token.userId));
  if (token === undefined || user === undefined || !user.active) return undefined;
  if (user.passwordChangedAt !== null && user.passwordChangedAt.getTime() > token.createdAt.getTime()) return undefined;
  return { token, user };
}

export function createAccountTokens(deps: AccountTokenDeps) {
  const { store, hasher } = deps;
  const issue = tokenIssuer(deps);

  async function setHash(user: User, patch: { passwordHash: string; username?: string }, action: string, actor: string, ip: string): Promise<User> {
    return store.write(async (tx) => {
      const updated = await tx.updateUser(user.id, patch);
      await tx.appendAudit({ actor, action, target: user.id, ip });
      return updated;
    });
  }

  /**
   * Whom `actor` may give a reset link, checked without issuing one (routes that also need SMTP
   * check this first: authorisation before configuration, issue 20).
   */
  async function resetTarget(ref: string, actor: Actor): Promise<User> {
    const user = await resolveUserFor(store, ref, actor);
    assertMay(actor, 'user.setPassword', { id: user.id, role: user.role });
    assertLocalIdentity(user, 'password');
    if (!user.active) throw conflict('the user is disabled', 'active');
    return user;
  }

  /** Whom `actor` may give an invite link (see resetTarget). */
  async function inviteTarget(ref: string, actor: Actor): Promise<User> {
    const user = await resolveUserFor(store, ref, actor);
    assertMay(actor, 'user.setPassword', { id: user.id, role: user.role });
    assertLocalIdentity(user, 'password');
    if (user.passwordHash !== null) throw conflict('the user has already accepted their invite', 'password');
    return user;
  }

  return {
    /** "Forgot password": a link for an active local user, or undefined (the caller answers alike). */
    async requestReset(identifier: string): Promise<Issued | undefined> {
      const key = identifier.trim().toLowerCase();
      if (key === '' || key.length > 320) return undefined;
      const user = key.includes('@') ? await store.findUserByEmail(key) : await store.findUserByUsername(key);
      if (user === undefined || !user.active || user.source !== 'local' || user.username === null) return undefined;
      return issue(user, 'reset', 'self');
    },
    resetTarget,
    resetLinkFor: async (ref: string, actor: Actor): Promise<Issued> => issue(await resetTarget(ref, actor), 'reset', actorLabel(actor)),
    /** Sets the new password and ends every session of the user. */
    async completeReset(secret: string, password: string, ip: string): Promise<User> {
      checkPassword(password);
      const live = await liveReset(store, secret);
      if (live === undefined || !(await store.lifecycle.useToken(live.token.id))) throw badLink('password reset');
      const user = await setHash(live.user, { passwordHash: await hasher.hash(password) }, 'user.password.reset', live.user.id, ip);
      await store.apiTokens.deleteForUser(user.id);
      return user;
    },
    inviteTarget,
    inviteLinkFor: async (ref: string, actor: Actor): Promise<Issued> => issue(await inviteTarget(ref, actor), 'invite', actorLabel(actor)),
    /** The invited person picks a username (when none was given) and a password. */
    async acceptInvite(secret: string, input: { username?: string | undefined; password: string }, ip: string): Promise<User> {
      checkPassword(input.password);
      const token = await store.lifecycle.findToken('invite', hashSecret(secret));
      const user = token && (await store.getUser(token.userId));
      if (token === undefined || user === undefined || user.passwordHash !== null) throw badLink('invite');
      if (user.username === null && (input.username ?? '').trim() === '') throw invalid('choose a username', 'username');
      const username = user.username === null ? normalizeUsername(input.username) : undefined;
      if (user.username !== null && input.username !== undefined && normalizeUsername(input.username) !== user.username) {
        throw conflict('the username is already set and cannot be changed here', 'username');
      }
      if (username !== undefined && (await store.findUserByUsername(username)) !== undefined) throw conflict('the username is taken', 'username');
      const passwordHash = await hasher.hash(input.password);
      if (!(await store.lifecycle.useToken(token.id))) throw badLink('invite');
      return setHash(user, { passwordHash, ...(username === undefined ? {} : { username }) }, 'user.invite.accept', user.id, ip);
    },
    /** For the pages: whom an unused invite link is for (undefined: invalid, expired or used). */
    async inviteInfo(secret: string): Promise<{ username: string | null; email: string } | undefined> {
      const token = await store.lifecycle.findToken('invite', hashSecret(secret));
      const user = token && (await store.getUser(token.userId));
      return user === undefined || user.passwordHash !== null ? undefined : { username: user.username, email: user.email };
    },
    /** For the pages: whether a reset link still works, without using it. */
    resetIsLive: async (secret: string): Promise<boolean> => (await liveReset(store, secret)) !== undefined,
    issue,
  };
}

export type AccountTokens = ReturnType<typeof createAccountTokens>;
