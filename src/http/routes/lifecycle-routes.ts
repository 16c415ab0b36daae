import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { z } from 'zod';
import type { Actor } from '../../domain/actor.js';
import type { Issued } from '../../directory/lifecycle/account-tokens.js';
import { conflict, DirectoryError } from '../../domain/errors.js';
import { assertMay } from '../../domain/permissions.js';
import type { User } from '../../domain/model.js';
import { lifecycleMails } from '../../mail/lifecycle-mails.js';
import type { Mailer, MailMessage } from '../../directory/lifecycle/mailer.js';
import type { ApiContext } from '../api-context.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { toUserView, userView } from '../views.js';

/**
 * `smtp.public_url` when set, else the address the (signed-in) caller used, so that a link works
 * from where the admin sits. The unauthenticated "forgot password" mail uses only `public_url`:
 * a forged Host header must never put an attacker's address into a reset mail.
 */
export function linkFor(req: IncomingMessage, page: string, secret: string, base?: string): string {
  const scheme = (req.socket as TLSSocket).encrypted === true ? 'https' : 'http';
  return `${base ?? `${scheme}://${req.headers.host ?? 'localhost'}`}/${page}?token=${secret}`;
}

const linkView = z.object({ link: z.string(), expiresAt: z.string() });
const linkOf = (req: IncomingMessage, page: string, issued: Issued, base: string | undefined) => ({ link: linkFor(req, page, issued.secret, base), expiresAt: issued.expiresAt.toISOString() });

/** Invites, password resets and impersonation (DESIGN §7). Without SMTP the links are handed out here. */
export function lifecycleRoutes(api: ApiContext): AnyRoute[] {
  const { tokens, temporary, mail } = api.directory.lifecycle;
  const { users } = api.directory;
  const sendLink = (
    path: string,
    summary: string,
    authorise: (ref: string, actor: Actor) => Promise<unknown>,
    make: (ref: string, ctx: { req: IncomingMessage; actor: Actor }) => Promise<MailMessage>,
  ): AnyRoute =>
    defineRoute({
      method: 'POST',
      path,
      summary,
      tag: 'users',
      auth: 'user',
      status: 202,
      response: z.object({ sentTo: z.string() }),
      errors: { 403: 'Sending links is for user managers (not on higher roles, not on themselves)', 404: 'No such user, or one you may not see', 409: 'SMTP is not configured (asked only of callers allowed to send), or the user cannot get this link' },
      handle: async ({ req, params, caller }) => {
        // Authorisation before configuration: a caller without the power must not learn whether
        // SMTP is set up (issue 20). Checked without issuing, so no earlier link is replaced in vain.
        const ref = params['id'] ?? '';
        const target = await users.getUser(ref, caller.actor); // 404 alike for unknown and unreadable users
        assertMay(caller.actor, 'user.sendLink', { id: target.id, role: target.role });
        await authorise(ref, caller.actor);
        const mailer = await mail.current();
        needsMailer(mailer);
        const message = await make(params['id'] ?? '', { req, actor: caller.actor });
        await deliver(mailer, message);
        return { status: 202, body: { sentTo: message.to } };
      },
    });
  return [
    sendLink('/api/v1/users/:id/send-password-reset-email', 'Mail the user a new password reset link (needs SMTP)', tokens.resetTarget, async (ref, { req, actor }) => {
      const issued = await tokens.resetLinkFor(ref, actor);
      return lifecycleMails.reset(recipient(issued.user), linkFor(req, 'reset-password', issued.secret, await mail.publicUrl()), issued.expiresAt);
    }),
    sendLink('/api/v1/users/:id/send-invite-email', 'Mail the user a new invite link (needs SMTP)', tokens.inviteTarget, async (ref, { req, actor }) => {
      const issued = await tokens.inviteLinkFor(ref, actor);
      return lifecycleMails.invite(recipient(issued.user), linkFor(req, 'accept-invite', issued.secret, await mail.publicUrl()), issued.expiresAt);
    }),
    defineRoute({
      method: 'POST',
      path: '/api/v1/auth/password-reset-request',
      summary: 'Forgot password: always 202, whether or not the account exists',
      tag: 'auth',
      auth: 'none',
      body: z.strictObject({ identifier: z.string().max(320).describe('username or email') }),
      status: 202,
      handle: async ({ req, body }) => {
        await requestResetMail(api, req, body.identifier);
        return { status: 202, body: { accepted: true } };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/api/v1/auth/password-reset',
      summary: 'Set a new password with a reset link token; ends every session of the user',
      tag: 'auth',
      auth: 'none',
      body: z.strictObject({ token: z.string().max(200), password: z.string().max(1024) }),
      status: 204,
      handle: async ({ body, ip }) => {
        await tokens.completeReset(body.token, body.password, ip);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/api/v1/auth/invite/accept',
      summary: 'Accept an invite: choose the username (when none was given) and a password',
      tag: 'auth',
      auth: 'none',
      body: z.strictObject({ token: z.string().max(200), username: z.string().max(200).optional(), password: z.string().max(1024) }),
      response: userView,
      handle: async ({ body, ip }) => ({ body: toUserView(await tokens.acceptInvite(body.token, body, ip)) }),
    }),
    defineRoute({
      method: 'GET',
      path: '/api/v1/users/:id/password-reset-link',
      summary: 'A new password reset link for the user (replaces earlier ones; 24 h)',
      tag: 'users',
      auth: 'user',
      response: linkView,
      handle: async ({ req, params, caller }) => ({ body: linkOf(req, 'reset-password', await tokens.resetLinkFor(params['id'] ?? '', caller.actor), await mail.publicUrl()) }),
    }),
    defineRoute({
      method: 'GET',
      path: '/api/v1/users/:id/invite-link',
      summary: 'A new invite link for a user who has not accepted yet (replaces earlier ones; 7 days)',
      tag: 'users',
      auth: 'user',
      response: linkView,
      handle: async ({ req, params, caller }) => ({ body: linkOf(req, 'accept-invite', await tokens.inviteLinkFor(params['id'] ?? '', caller.actor), await mail.publicUrl()) }),
    }),
    defineRoute({
      method: 'POST',
      path: '/api/v1/users/:id/impersonate',
      summary: 'A temporary password for the user (API login and LDAP bind, bypasses 2FA; 6 h); shown once',
      tag: 'users',
      auth: 'user',
      response: z.object({ password: z.string(), expiresAt: z.string() }),
      handle: async ({ params, caller, ip }) => {
        const issued = await temporary.impersonate(params['id'] ?? '', caller.actor, ip);
        return { body: { password: issued.secret, expiresAt: issued.expiresAt.toISOString() } };
      },
    }),
  ];
}

/**
 * "Forgot password" (the API route and the console's page): the answer never depends on the
 * account (DESIGN §7); the mail goes out in the background.
 */
export async function requestResetMail(api: ApiContext, req: IncomingMessage, identifier: string): Promise<void> {
  const { tokens, mail } = api.directory.lifecycle;
  const issued = await tokens.requestReset(identifier);
  const mailer = issued === undefined ? undefined : await mail.current().catch(() => undefined);
  const base = await mail.publicUrl();
  if (issued !== undefined && mailer !== undefined && base !== undefined) {
    mailer.send(lifecycleMails.reset(recipient(issued.user), linkFor(req, 'reset-password', issued.secret, base), issued.expiresAt)).catch(() => undefined);
  }
}

/**
 * The console's "mail a password reset link": the same checks and steps as
 * POST /api/v1/users/:id/send-password-reset-email, in the same order. Returns the recipient.
 */
export async function mailResetLink(api: ApiContext, req: IncomingMessage, ref: string, actor: Actor): Promise<string> {
  const { tokens, mail } = api.directory.lifecycle;
  const target = await api.directory.users.getUser(ref, actor);
  assertMay(actor, 'user.sendLink', { id: target.id, role: target.role });
  await tokens.resetTarget(ref, actor);
  const mailer = await mail.current();
  needsMailer(mailer);
  const issued = await tokens.resetLinkFor(ref, actor);
  const message = lifecycleMails.reset(recipient(issued.user), linkFor(req, 'reset-password', issued.secret, await mail.publicUrl()), issued.expiresAt);
  await deliver(mailer, message);
  return message.to;
}

/** For POST /api/v1/users without a password: the invite link to pass on. */
export async function inviteLinkOf(api: ApiContext, req: IncomingMessage, userId: string, actor: Actor): Promise<{ inviteLink: string; inviteEmailSent?: boolean }> {
  const { tokens, mail } = api.directory.lifecycle;
  const issued = await tokens.inviteLinkFor(userId, actor);
  const mailer = await mail.current();
  const inviteLink = linkFor(req, 'accept-invite', issued.secret, await mail.publicUrl());
  if (mailer === undefined) return { inviteLink };
  const sent = await mailer.send(lifecycleMails.invite(recipient(issued.user), inviteLink, issued.expiresAt)).then(() => true, () => false);
  return { inviteLink, inviteEmailSent: sent };
}

/** Mails go to the fallback email when one is set (DESIGN §7, Cloudron's rule). */
export const recipient = (user: User): string => user.fallbackEmail ?? user.email;

function needsMailer(mailer: Mailer | undefined): asserts mailer is Mailer {
  if (mailer === undefined) throw conflict('SMTP is not configured: hand out the link instead', 'smtp');
}

async function deliver(mailer: Mailer | undefined, message: MailMessage): Promise<void> {
  needsMailer(mailer);
  try {
    await mailer.send(message);
  } catch (error) {
    throw new DirectoryError('unavailable', `the mail could not be sent: ${(error as Error).message}`);
  }
}
