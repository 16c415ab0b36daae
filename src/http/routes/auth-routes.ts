import { createApiToken, revokeApiToken } from '../../directory/auth/api-tokens.js';
import { z } from 'zod';
import type { ApiContext } from '../api-context.js';
import { bearerOf, hashBearerToken } from '../auth/bearer-token.js';
import { login } from '../auth/login.js';
import { sessionTokenOf } from '../auth/session-cookie.js';
import { mustEnroll2fa } from '../auth/mandatory-enrolment.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { toTokenView, toUserView, tokenView, userView } from '../views.js';

const loginBody = z.strictObject({
  identifier: z.string().max(320).describe('username or email'),
  password: z.string().max(1024),
  totpToken: z.string().max(16).optional().describe('the current two-factor code, when enrolled'),
});

export const sessionView = z.object({ token: z.string(), expiresAt: z.string(), user: userView, mustEnroll2fa: z.boolean().optional().describe('2FA is mandatory: only enrolment is allowed until done') });

const MAX_TOKEN_DAYS = 3650;
const newTokenBody = z.strictObject({
  name: z.string().trim().min(1).max(100).describe('what the token is for'),
  scope: z.enum(['read', 'readwrite']),
  expiresInDays: z.number().int().min(1).max(MAX_TOKEN_DAYS).optional().describe('absent: until revoked'),
});

/** Login, logout and scripts' API tokens (DESIGN §8). */
export function authRoutes(api: ApiContext): AnyRoute[] {
  const { store, hasher } = api.directory;
  return [
    defineRoute({
      method: 'POST',
      path: '/api/v1/auth/login',
      summary: 'Sign in with username or email and password; returns a bearer token',
      tag: 'auth',
      auth: 'none',
      body: loginBody,
      response: sessionView,
      handle: async ({ body, ip }) => {
        const session = await login({ store, hasher, throttle: api.throttle, sessionTtlMs: api.sessionTtlMs, external: api.external, autoCreate: api.connector, totp: api.totp ?? api.directory.lifecycle.twoFactor, temporary: api.directory.lifecycle.temporary }, body, ip);
        const mustEnroll = await mustEnroll2fa(store, api.pinned, session.user);
        return { body: { token: session.token, expiresAt: session.expiresAt.toISOString(), user: toUserView(session.user), mustEnroll2fa: mustEnroll } };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/api/v1/auth/logout',
      summary: 'End the session (or revoke the API token) used for this request',
      tag: 'auth',
      auth: 'user',
      status: 204,
      handle: async ({ req }) => {
        await store.apiTokens.deleteByHash(hashBearerToken(bearerOf(req) ?? sessionTokenOf(req) ?? ''));
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/v1/tokens',
      summary: "The caller's API tokens (never the token values)",
      tag: 'auth',
      auth: 'user',
      response: z.object({ items: z.array(tokenView) }),
      handle: async ({ caller }) => ({ body: { items: (await store.apiTokens.list(caller.user.id, 'api')).map(toTokenView) } }),
    }),
    defineRoute({
      method: 'POST',
      path: '/api/v1/tokens',
      summary: 'Create an API token for scripts; the token is shown only in this response',
      tag: 'auth',
      auth: 'user',
      body: newTokenBody,
      status: 201,
      response: tokenView.extend({ token: z.string() }),
      handle: async ({ body, caller, ip }) => {
        const expiresAt = body.expiresInDays === undefined ? null : new Date(Date.now() + body.expiresInDays * 86_400_000);
        const { record, token } = await createApiToken(store, caller.user.id, { name: body.name, scope: body.scope, expiresAt }, ip);
        return { status: 201, body: { ...toTokenView(record), token } };
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/api/v1/tokens/:id',
      summary: 'Revoke one of your API tokens',
      tag: 'auth',
      auth: 'user',
      status: 204,
      handle: async ({ params, caller, ip }) => {
        await revokeApiToken(store, caller.user.id, params['id'] ?? '', ip);
        return { status: 204 };
      },
    }),
  ];
}
