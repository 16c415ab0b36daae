import { z } from 'zod';
import { systemActor } from '../../../domain/actor.js';
import { DirectoryError } from '../../../domain/errors.js';
import { isLoopback } from '../loopback.js';
import { hashBearerToken } from '../../auth/bearer-token.js';
import { login, type LoginInput } from '../../auth/login.js';
import { mustEnroll2fa } from '../../auth/mandatory-enrolment.js';
import { clearSessionCookie, sessionCookie, sessionTokenOf } from '../../auth/session-cookie.js';
import { defineRoute, type AnyRoute, type RawBody, type Reply, type RequestContext } from '../../route.js';
import { safeNext } from '../console-errors.js';
import type { ConsoleContext, ConsoleFeature } from '../console-feature.js';
import { formOf } from '../console-forms.js';
import { seeOther } from '../console-layout.js';
import { t } from '../messages.js';
import { sealerOf, type Sealer } from '../sealed-state.js';
import { passwordSignInDisabled } from '../../../directory/sso/sso-only.js';
import { signInForm, totpForm, type SsoChoices } from './sign-in-form.js';

export const FORM = { types: ['application/x-www-form-urlencoded'], maxBytes: 16 * 1024 };
export const HTML = { types: ['text/html'] };
const STEP_TTL_MS = 5 * 60_000;
const homeQuery = z.strictObject({ next: z.string().max(2000).optional(), signedOut: z.literal('1').optional() });

/** Whether the first-run owner set-up is open: no owner yet, and the request from this machine. */
export async function firstRunOpen(console: ConsoleContext, ip: string): Promise<boolean> {
  if (!isLoopback(ip)) return false;
  const owners = await console.api.directory.users.listUsers({ role: 'owner', limit: 1 }, systemActor('console'));
  return owners.total === 0;
}

/** Signs in through the one login pipeline (throttle, audit, 2FA), then sets the session cookie. */
export async function startSession(console: ConsoleContext, ctx: RequestContext<RawBody>, input: LoginInput, next: string): Promise<Reply> {
  const { api } = console;
  const { store, hasher, lifecycle } = api.directory;
  const session = await login(
    { store, hasher, throttle: api.throttle, sessionTtlMs: api.sessionTtlMs, external: api.external, autoCreate: api.connector, totp: api.totp ?? lifecycle.twoFactor, temporary: lifecycle.temporary },
    input,
    ctx.ip,
  );
  const cookie = { 'set-cookie': sessionCookie(session.token, session.expiresAt, console.secure(ctx.req)) };
  if (await mustEnroll2fa(store, api.pinned, session.user)) return seeOther('/two-factor', cookie);
  return seeOther(next === '/' ? '/' : next, cookie);
}

const secondFactorMissing = (error: unknown): boolean =>
  error instanceof DirectoryError && error.field === 'totpToken' && error.message.startsWith('this account needs');

async function signIn(console: ConsoleContext, sealer: Sealer, ctx: RequestContext<RawBody>): Promise<Reply> {
  const form = formOf(ctx.body.text);
  const isTotp = form['step'] === 'totp';
  const pending = isTotp ? await sealer.open<{ identifier: string; password: string; next: string }>(form['state'] ?? '') : undefined;
  if (isTotp && pending === undefined) return signInForm(console, { next: '/', error: t('signIn.expired'), status: 400 });
  const identifier = pending?.identifier ?? (form['identifier'] ?? '').slice(0, 320);
  const password = pending?.password ?? (form['password'] ?? '').slice(0, 1024);
  const next = pending?.next ?? safeNext(form['next']);
  try {
    return await startSession(console, ctx, { identifier, password, ...(isTotp ? { totpToken: (form['totpToken'] ?? '').slice(0, 16) } : {}) }, next);
  } catch (error) {
    if (!(error instanceof DirectoryError) || error.status >= 500) throw error;
    if (!isTotp && secondFactorMissing(error)) return totpForm(console, await sealer.seal({ identifier, password, next }, STEP_TTL_MS));
    if (isTotp && error.field === 'totpToken') return totpForm(console, await sealer.seal({ identifier, password, next }, STEP_TTL_MS), t('signIn.totpWrong'));
    return signInForm(console, { identifier, next, error: error.message, status: error.status });
  }
}

async function home(console: ConsoleContext, ctx: RequestContext<undefined, z.infer<typeof homeQuery>>): Promise<Reply> {
  const caller = await console.optionalCaller(ctx.req);
  if (caller !== undefined) {
    if (await mustEnroll2fa(console.api.directory.store, console.api.pinned, caller.user)) return seeOther('/two-factor');
    const target = console.home(caller.actor);
    if (target !== '/') return seeOther(target);
    const body = `<p>${t('signIn.welcome', { name: caller.user.username ?? caller.user.email })}</p>`;
    return console.render(caller, { title: t('app.name'), body });
  }
  const notice = ctx.query.signedOut === '1' ? t('signIn.signedOut') : undefined;
  const sso = await ssoChoices(console);
  return signInForm(console, { next: safeNext(ctx.query.next), firstRun: await firstRunOpen(console, ctx.ip), sso, ...(notice === undefined ? {} : { notice }) });
}

/** Which identity providers the sign-in page offers: SAML when enabled, OIDC when active. */
async function ssoChoices(console: ConsoleContext): Promise<SsoChoices> {
  const { directory } = console.api;
  const [saml, oidc] = await Promise.all([passwordSignInDisabled(directory.store), directory.oidc.active()]);
  return { saml, oidcLabel: oidc?.buttonLabel };
}

function routes(console: ConsoleContext): AnyRoute[] {
  // The two-factor step's state, sealed under a key every replica derives alike (sealed-state.ts).
  const sealer = sealerOf(() => console.api.directory.deriveKey('console sign-in step v1'));
  return [
    defineRoute({ method: 'GET', path: '/', summary: 'Console: sign-in page (or the home page when signed in)', tag: 'console', auth: 'none', page: true, query: homeQuery, textResponse: HTML, handle: (ctx) => home(console, ctx) }),
    defineRoute<RawBody>({ method: 'POST', path: '/', summary: 'Console: sign in (password, then the two-factor code when enrolled)', tag: 'console', auth: 'none', page: true, raw: FORM, textResponse: HTML, handle: (ctx) => signIn(console, sealer, ctx) }),
    defineRoute<RawBody>({
      method: 'POST', path: '/sign-out', summary: 'Console: sign out (ends the session)', tag: 'console', auth: 'user', page: true, raw: FORM, textResponse: HTML,
      handle: async ({ req }) => {
        await console.api.directory.store.apiTokens.deleteByHash(hashBearerToken(sessionTokenOf(req) ?? ''));
        return seeOther('/?signedOut=1', { 'set-cookie': clearSessionCookie(console.secure(req)) });
      },
    }),
  ];
}

export const signInFeature: ConsoleFeature = { name: 'sign-in', routes };
