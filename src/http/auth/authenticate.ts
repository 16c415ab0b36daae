import type { IncomingMessage } from 'node:http';
import { userActor } from '../../domain/actor.js';
import { DirectoryError } from '../../domain/errors.js';
import type { User } from '../../domain/model.js';
import type { ApiToken } from '../../store/api-token-store.js';
import type { Store } from '../../store/store.js';
import type { Caller } from '../route.js';
import { csrfTokenFor } from '../console/csrf.js';
import { bearerOf, hashBearerToken } from './bearer-token.js';
import { sessionTokenOf } from './session-cookie.js';

const TOUCH_EVERY_MS = 60_000;

const rejected = (message: string): DirectoryError => new DirectoryError('unauthenticated', message);

/**
 * Whether a token still speaks for its user. Checked on every request against the user as stored
 * now, so disabling, deleting or a password change ends every session at once (DESIGN §7), on every
 * replica, without waiting for a notification.
 */
export function tokenIsLive(token: ApiToken, user: User | undefined): user is User {
  if (user === undefined || !user.active) return false;
  return user.passwordChangedAt === null || token.createdAt.getTime() >= user.passwordChangedAt.getTime();
}

/**
 * Resolves `Authorization: Bearer` — or, without one, the browser's session cookie
 * (session-cookie.ts) — to the caller, acting with their current role. A cookie caller carries
 * the CSRF token its state changes must send (console/csrf.ts checks it in dispatch).
 */
export function createAuthenticator(store: Store): (req: IncomingMessage) => Promise<Caller> {
  return async (req) => {
    const bearer = bearerOf(req);
    const cookie = bearer === undefined ? sessionTokenOf(req) : undefined;
    const secret = bearer ?? cookie;
    if (secret === undefined) throw rejected('sign in: send Authorization: Bearer <token>');
    const hash = hashBearerToken(secret);
    const token = await store.apiTokens.findByHash(hash);
    // Only login sessions travel in the cookie; API tokens are for scripts.
    if (token === undefined || (cookie !== undefined && token.kind !== 'session')) throw rejected('the token is invalid or has expired');
    const user = await store.getUser(token.userId);
    if (!tokenIsLive(token, user)) {
      await store.apiTokens.deleteByHash(hash);
      throw rejected('the token is invalid or has expired');
    }
    if (token.lastUsedAt === null || Date.now() - token.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
      await store.apiTokens.touch(token.id);
    }
    const actor = userActor(user, { readOnly: token.scope === 'read' });
    return cookie === undefined ? { user, token, actor } : { user, token, actor, csrf: csrfTokenFor(cookie) };
  };
}
