import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../../src/domain/actor.js';
import { openAdminSecret } from '../../../src/directory/auth/admin-secret.js';
import { createAuthThrottle } from '../../../src/directory/auth/auth-throttle.js';
import { createBindService, type BindService } from '../../../src/directory/auth/bind-service.js';
import { hashSecret } from '../../../src/directory/lifecycle/account-tokens.js';
import { createLifecycleService } from '../../../src/directory/lifecycle/lifecycle-service.js';
import { totpIssuer } from '../../../src/crypto/totp.js';
import { base32Decode, hotp, totpStep } from '../../../src/crypto/totp.js';
import { createDirectoryView, type DirectoryView } from '../../../src/directory/view/index.js';
import { DirectoryError } from '../../../src/domain/errors.js';
import { createTempDir, storeModes } from '../../helpers/databases.js';
import { startSmtpCapture } from '../../helpers/smtp-capture.js';
import { PASSWORD, startApi, type Api } from '../../http/http-fixture.js';

const SUFFIX = 'dc=example,dc=com';
const code = (secret: string, step: number) => hotp(base32Decode(secret), step);
const tokenOf = (link: string) => new URL(link).searchParams.get('token') ?? '';

/** Starts at least 5 s before a step boundary, so that "now ± 1" stays put while a test runs. */
async function alignToStep(): Promise<number> {
  const into = (Date.now() / 1000) % 30;
  if (into > 24) await new Promise((r) => setTimeout(r, (30.2 - into) * 1000));
  return totpStep(Date.now());
}

async function bindCode(p: Promise<unknown>): Promise<number | 'ok'> {
  try {
    await p;
    return 'ok';
  } catch (error) {
    if (error instanceof DirectoryError) return error.resultCode;
    throw error;
  }
}

describe.each(storeModes)('account lifecycle over HTTP and LDAP binds on $mode', (mode) => {
  let api: Api;
  let view: DirectoryView;
  let binds: BindService;
  let suffixBinds: BindService;
  let dataDir: { path: string; remove(): Promise<void> };
  const dn = (name: string, code?: string) => `cn=${name}${code === undefined ? '' : `+totpToken=${code}`},ou=users,${SUFFIX}`;
  const bind = async (service: BindService, name: string, password: string, rdnCode?: string) => {
    await view.catchUp();
    return bindCode(service.authenticate(dn(name, rdnCode), Buffer.from(password), '127.0.0.1'));
  };

  /** A user with 2FA enrolled using the previous step's code; returns the secret and step. */
  async function enrolled(username: string) {
    const { user, token } = await api.userWithToken(username, 'user');
    const secret = (await api.call('POST', '/api/v1/profile/2fa/secret', { token })).body.secret as string;
    const step = await alignToStep();
    const res = await api.call('POST', '/api/v1/profile/2fa/enable', { token, body: { totpToken: code(secret, step - 1) } });
    expect(res.status).toBe(200);
    return { user, token, secret, step };
  }

  beforeAll(async () => {
    api = await startApi(mode);
    dataDir = await createTempDir();
    view = createDirectoryView({ store: api.store, suffix: SUFFIX });
    await view.load();
    const adminSecret = await openAdminSecret({ store: api.store, dataDir: dataDir.path, logger: { info() {}, warn() {} } });
    const throttle = createAuthThrottle({ store: api.store, maxFailures: 50, windowMs: 60_000 });
    const deps = { view, hasher: api.directory.hasher, adminSecret, throttle, lifecycle: api.directory.lifecycle };
    binds = createBindService(deps);
    suffixBinds = createBindService({ ...deps, totpSuffix: true });
  });
  afterAll(async () => {
    view?.close();
    await api?.close();
    await dataDir?.remove();
  });

  describe('two-factor (TOTP)', () => {
    it('names the configured directory in the issuer authenticator apps show', async () => {
      const named = createLifecycleService({ store: api.store, hasher: api.directory.hasher, issuer: totpIssuer(' Example Corp ') });
      const { user } = await api.userWithToken('iona', 'user');
      const started = await named.twoFactor.newSecret(user);
      expect(started.otpauthUrl).toBe(`otpauth://totp/pgdir%20Example%20Corp:iona?secret=${started.secret}&issuer=pgdir%20Example%20Corp&algorithm=SHA1&digits=6&period=30`);
      expect(totpIssuer(undefined)).toBe('pgdir');
      expect(totpIssuer('  ')).toBe('pgdir');
    });

    it('enrols with a code, refuses a wrong one, and login then needs a fresh code each time', async () => {
      const { token } = await api.userWithToken('tina', 'user');
      const start = await api.call('POST', '/api/v1/profile/2fa/secret', { token });
      expect(start.status).toBe(200);
      expect(start.body.otpauthUrl).toBe(`otpauth://totp/pgdir:tina?secret=${start.body.secret}&issuer=pgdir&algorithm=SHA1&digits=6&period=30`);
      expect(start.body.qrCode).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
      const secret = start.body.secret as string;
      const step = await alignToStep();
      const wrong = code(secret, step + 5);
      expect(await api.call('POST', '/api/v1/profile/2fa/enable', { token, body: { totpToken: wrong } })).toMatchObject({ status: 400, body: { error: { field: 'totpToken' } } });
      const on = await api.call('POST', '/api/v1/profile/2fa/enable', { token, body: { totpToken: code(secret, step - 1) } });
      expect(on).toMatchObject({ status: 200, body: { totpEnabled: true } });
      expect((await api.call('POST', '/api/v1/profile/2fa/secret', { token })).status).toBe(409);

      const login = (totpToken?: string) => api.call('POST', '/api/v1/auth/login', { body: { identifier: 'tina', password: PASSWORD, ...(totpToken === undefined ? {} : { totpToken }) } });
      expect(await login()).toMatchObject({ status: 401, body: { error: { field: 'totpToken' } } });
      expect((await login(code(secret, step - 1))).status).toBe(401); // used for enrolment
      expect((await login(code(secret, step))).status).toBe(200);
      expect((await login(code(secret, step))).status).toBe(401); // replay
      expect((await login(code(secret, step + 2))).status).toBe(401); // outside ±1
      expect((await login(code(secret, step + 1))).status).toBe(200);
    });

    it('keeps the secret encrypted and out of every API answer', async () => {
      const { user, secret } = await enrolled('tess');
      const sealed = await api.store.lifecycle.totpSecret(user.id);
      expect(sealed).toMatch(/^v1:/);
      expect(sealed).not.toContain(secret);
      const shown = await api.call('GET', `/api/v1/users/${user.id}`, { token: api.ownerToken });
      expect(shown.body.totpEnabled).toBe(true);
      expect(shown.text).not.toContain(secret);
      expect((await api.call('GET', '/api/v1/users/export?format=json', { token: api.ownerToken })).text).not.toContain(secret);
    });

    it('LDAP: optional code via +totpToken, wrong or replayed code 49, required setting', async () => {
      const { secret, step } = await enrolled('lara');
      expect(await bind(binds, 'lara', PASSWORD)).toBe('ok'); // not required by default
      expect(await bind(binds, 'lara', PASSWORD, code(secret, step))).toBe('ok');
      expect(await bind(binds, 'lara', PASSWORD, code(secret, step))).toBe(49);
      expect(await bind(binds, 'lara', PASSWORD, code(secret, step + 7))).toBe(49); // a given code must be right
      expect(await bind(binds, 'lara', 'wrong-password', code(secret, step + 1))).toBe(49);
      const put = await api.call('PUT', '/api/v1/settings/ldap-2fa', { token: api.ownerToken, body: { required: true } });
      expect(put).toMatchObject({ status: 200, body: { required: true } });
      try {
        expect(await bind(binds, 'lara', PASSWORD)).toBe(49);
        expect(await bind(binds, 'lara', PASSWORD, code(secret, step + 1))).toBe('ok');
        expect(await bind(binds, 'tina', PASSWORD)).toBe(49);
        expect(await bind(binds, 'owner', PASSWORD)).toBe('ok'); // not enrolled: no code needed
      } finally {
        await api.call('PUT', '/api/v1/settings/ldap-2fa', { token: api.ownerToken, body: { required: false } });
      }
    });

    it('LDAP: with ldap.totp_suffix the code may follow the password', async () => {
      const { secret, step } = await enrolled('lena');
      expect(await bind(suffixBinds, 'lena', PASSWORD + code(secret, step))).toBe('ok');
      expect(await bind(suffixBinds, 'lena', PASSWORD + code(secret, step))).toBe(49); // replay
      expect(await bind(binds, 'lena', PASSWORD + code(secret, step + 1))).toBe(49); // suffix off
      expect(await bind(suffixBinds, 'lena', PASSWORD)).toBe('ok'); // optional
      await api.call('PUT', '/api/v1/settings/ldap-2fa', { token: api.ownerToken, body: { required: true } });
      try {
        expect(await bind(suffixBinds, 'lena', PASSWORD)).toBe(49);
        expect(await bind(suffixBinds, 'lena', PASSWORD + code(secret, step + 1))).toBe('ok');
      } finally {
        await api.call('PUT', '/api/v1/settings/ldap-2fa', { token: api.ownerToken, body: { required: false } });
      }
    });

    it('self disable needs the password; managers disable others, plain users cannot', async () => {
      const { user, token } = await enrolled('dora');
      expect((await api.call('POST', '/api/v1/profile/2fa/disable', { token, body: { password: 'nope-nope' } })).status).toBe(400);
      expect(await api.call('POST', '/api/v1/profile/2fa/disable', { token, body: { password: PASSWORD } })).toMatchObject({ status: 200, body: { totpEnabled: false } });
      expect(await api.store.lifecycle.totpSecret(user.id)).toBeUndefined();

      // Wrong passwords count in the login throttle (5 in the fixture): then even the right one fails.
      const guessed = await enrolled('gus');
      for (let i = 0; i < 5; i++) expect((await api.call('POST', '/api/v1/profile/2fa/disable', { token: guessed.token, body: { password: `guess ${i}` } })).status).toBe(400);
      expect((await api.call('POST', '/api/v1/profile/2fa/disable', { token: guessed.token, body: { password: PASSWORD } })).status).toBe(400);
      expect((await api.store.findUserByUsername('gus'))?.totpEnabled).toBe(true);

      const other = await enrolled('dina');
      const plain = await api.userWithToken('pete', 'user');
      // Issue 20: a user a plain user may not read answers 404, as an unknown id does.
      expect((await api.call('POST', `/api/v1/users/${other.user.id}/2fa/disable`, { token: plain.token })).status).toBe(404);
      const manager = await api.userWithToken('mona', 'usermanager');
      expect(await api.call('POST', `/api/v1/users/${other.user.id}/2fa/disable`, { token: manager.token })).toMatchObject({ status: 200, body: { totpEnabled: false } });
      expect((await api.call('POST', '/api/v1/auth/login', { body: { identifier: 'dina', password: PASSWORD } })).status).toBe(200);
      const audit = await api.store.listAudit({ action: 'user.totp.disable' });
      expect(audit.map((a) => [a.actor, a.target])).toEqual(expect.arrayContaining([[manager.user.id, other.user.id], [user.id, user.id]]));
    });
  });

  describe('password reset', () => {
    it('answers 202 alike for known and unknown identifiers', async () => {
      await api.userWithToken('rosa', 'user');
      const known = await api.call('POST', '/api/v1/auth/password-reset-request', { body: { identifier: 'rosa' } });
      const unknown = await api.call('POST', '/api/v1/auth/password-reset-request', { body: { identifier: 'nobody@example.com' } });
      expect(known.status).toBe(202);
      expect(unknown).toMatchObject({ status: 202, text: known.text });
    });

    it('manager link: newer link wins, single use, ends sessions, password change invalidates', async () => {
      const { user, token } = await api.userWithToken('rita', 'user');
      const link = () => api.call('GET', `/api/v1/users/${user.id}/password_reset_link`, { token: api.ownerToken });
      const first = await link();
      expect(first.status).toBe(200);
      expect(first.body.link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/reset-password\?token=[A-Za-z0-9_-]{43}$/);
      expect(new Date(first.body.expiresAt).getTime() - Date.now()).toBeGreaterThan(23.9 * 3_600_000);
      const second = await link();
      const reset = (t: string, password = 'brand new password') => api.call('POST', '/api/v1/auth/password-reset', { body: { token: t, password } });
      expect(await reset(tokenOf(first.body.link))).toMatchObject({ status: 400, body: { error: { field: 'token' } } });
      expect(await reset(tokenOf(second.body.link), 'short')).toMatchObject({ status: 400, body: { error: { field: 'password' } } });
      expect((await reset(tokenOf(second.body.link))).status).toBe(204);
      expect((await reset(tokenOf(second.body.link))).status).toBe(400); // single use
      expect((await api.call('GET', '/api/v1/profile', { token })).status).toBe(401); // sessions ended
      expect((await api.call('POST', '/api/v1/auth/login', { body: { identifier: 'rita', password: 'brand new password' } })).status).toBe(200);
      expect(await bind(binds, 'rita', 'brand new password')).toBe('ok');

      const third = await link();
      await new Promise((r) => setTimeout(r, 20));
      expect((await api.call('PUT', `/api/v1/users/${user.id}/password`, { token: api.ownerToken, body: { password: 'set by the owner' } })).status).toBe(200);
      expect((await reset(tokenOf(third.body.link))).status).toBe(400);

      const fourth = await link();
      expect((await api.call('PUT', `/api/v1/users/${user.id}/active`, { token: api.ownerToken, body: { active: false } })).status).toBe(200);
      expect((await reset(tokenOf(fourth.body.link))).status).toBe(400);
      expect((await link()).status).toBe(409);
      // Deactivation deletes the link (the reaper follows the change feed): enabling again does not revive it.
      await expect.poll(async () => api.store.lifecycle.findToken('reset', hashSecret(tokenOf(fourth.body.link))), { timeout: 5000 }).toBeUndefined();
      expect((await api.call('PUT', `/api/v1/users/${user.id}/active`, { token: api.ownerToken, body: { active: true } })).status).toBe(200);
      expect((await reset(tokenOf(fourth.body.link))).status).toBe(400);
    });

    it('without SMTP the send-mail endpoints answer 409 and point to the link', async () => {
      expect(await api.call('POST', '/api/v1/users/rosa/send_password_reset_email', { token: api.ownerToken })).toMatchObject({ status: 409, body: { error: { field: 'smtp' } } });
      expect((await api.call('POST', '/api/v1/users/rosa/send_invite_email', { token: api.ownerToken })).status).toBe(409);
    });

    it('SMTP set through the API: password sealed, never shown; test mail and invites go out; removable', async () => {
      const smtp = await startSmtpCapture();
      try {
        expect((await api.call('GET', '/api/v1/settings/smtp', { token: api.ownerToken })).body).toEqual({ configured: false, locked: false, settings: null });
        const plain = await api.userWithToken('sam', 'user');
        const settings = { host: '127.0.0.1', port: smtp.port, secure: false, username: 'relay', password: 'smtp-secret-pw', from: 'pgdir <noreply@example.com>' };
        expect((await api.call('PUT', '/api/v1/settings/smtp', { token: plain.token, body: settings })).status).toBe(403);
        const put = await api.call('PUT', '/api/v1/settings/smtp', { token: api.ownerToken, body: settings });
        expect(put).toMatchObject({ status: 200, body: { configured: true, settings: { host: '127.0.0.1', username: 'relay', hasPassword: true } } });
        expect(put.text).not.toContain('smtp-secret-pw');
        expect(JSON.stringify(await api.store.getSetting('smtp'))).not.toContain('smtp-secret-pw');
        expect((await api.call('POST', '/api/v1/settings/smtp/test', { token: api.ownerToken, body: { to: 'ops@example.com' } })).status).toBe(202);
        expect(smtp.mails[0]).toMatchObject({ to: ['ops@example.com'], subject: 'pgdir test mail', auth: 'PLAIN relay:smtp-secret-pw' });
        const invited = await api.call('POST', '/api/v1/users', { token: api.ownerToken, body: { email: 'mailed.invite@example.com' } });
        expect(invited.body.inviteEmailSent).toBe(true);
        expect(smtp.mails.at(-1)?.to).toEqual(['mailed.invite@example.com']);
        // Without publicUrl no "forgot password" mail goes out: its link could only come from the Host header.
        const count = smtp.mails.length;
        expect((await api.call('POST', '/api/v1/auth/password-reset-request', { body: { identifier: 'rosa' }, headers: { host: 'evil.example' } })).status).toBe(202);
        await new Promise((r) => setTimeout(r, 300));
        expect(smtp.mails.length).toBe(count);
        await api.call('PUT', '/api/v1/settings/smtp', { token: api.ownerToken, body: { ...settings, password: undefined, publicUrl: 'https://dir.example.com/' } });
        expect((await api.call('POST', '/api/v1/auth/password-reset-request', { body: { identifier: 'rosa' }, headers: { host: 'evil.example' } })).status).toBe(202);
        await expect.poll(() => smtp.mails.length, { timeout: 5000 }).toBe(count + 1);
        expect(smtp.mails.at(-1)?.text).toMatch(/https:\/\/dir\.example\.com\/reset-password\?token=/);
        expect(smtp.mails.at(-1)?.text).not.toContain('evil.example');
        // Changing other fields keeps the stored password.
        await api.call('PUT', '/api/v1/settings/smtp', { token: api.ownerToken, body: { ...settings, password: undefined, from: 'noreply@example.com' } });
        expect((await api.call('POST', '/api/v1/settings/smtp/test', { token: api.ownerToken, body: { to: 'ops@example.com' } })).status).toBe(202);
        expect(smtp.mails.at(-1)?.auth).toBe('PLAIN relay:smtp-secret-pw');
      } finally {
        await api.call('PUT', '/api/v1/settings/smtp', { token: api.ownerToken, body: null });
        await smtp.close();
      }
      expect((await api.call('GET', '/api/v1/settings/smtp', { token: api.ownerToken })).body.configured).toBe(false);
    });

    it('expired links are refused', async () => {
      const short = createLifecycleService({ store: api.store, hasher: api.directory.hasher, lifetimes: { reset: -1000 } });
      const { user } = await api.userWithToken('eve', 'user');
      const issued = await short.tokens.resetLinkFor(user.id, systemActor());
      expect((await api.call('POST', '/api/v1/auth/password-reset', { body: { token: issued.secret, password: 'brand new password' } })).status).toBe(400);
    });
  });

  describe('invites', () => {
    it('invite without username → accept picks one → login and LDAP bind', async () => {
      const created = await api.call('POST', '/api/v1/users', { token: api.ownerToken, body: { email: 'ivy@example.com' } });
      expect(created).toMatchObject({ status: 201, body: { username: null, hasPassword: false } });
      expect(created.body.inviteLink).toMatch(/\/accept-invite\?token=[A-Za-z0-9_-]{43}$/);
      const id = created.body.id as string;
      await view.catchUp();
      expect(view.findEntry(`cn=uid-${id},ou=users,${SUFFIX}`)).toBeUndefined(); // not listed until accepted
      expect(await bind(binds, `uid-${id}`, PASSWORD)).toBe(49);

      const again = await api.call('GET', `/api/v1/users/${id}/invite_link`, { token: api.ownerToken });
      expect(again.status).toBe(200);
      const accept = (body: Record<string, unknown>) => api.call('POST', '/api/v1/auth/invite/accept', { body });
      expect((await accept({ token: tokenOf(created.body.inviteLink), username: 'ivy', password: PASSWORD })).status).toBe(400); // replaced
      const t = tokenOf(again.body.link);
      expect(await accept({ token: t, password: PASSWORD })).toMatchObject({ status: 400, body: { error: { field: 'username' } } });
      expect(await accept({ token: t, username: 'tina', password: PASSWORD })).toMatchObject({ status: 409, body: { error: { field: 'username' } } });
      expect(await accept({ token: t, username: 'admin', password: PASSWORD })).toMatchObject({ status: 400, body: { error: { field: 'username' } } });
      expect(await accept({ token: t, username: 'ivy', password: PASSWORD })).toMatchObject({ status: 200, body: { username: 'ivy', hasPassword: true } });
      expect((await accept({ token: t, username: 'ivy', password: PASSWORD })).status).toBe(400); // used
      expect((await api.call('POST', '/api/v1/auth/login', { body: { identifier: 'ivy', password: PASSWORD } })).status).toBe(200);
      expect(await bind(binds, 'ivy', PASSWORD)).toBe('ok');
      expect((await api.call('GET', `/api/v1/users/${id}/invite_link`, { token: api.ownerToken })).status).toBe(409);
    });

    it('a plain user cannot get invite links; expired invites are refused', async () => {
      const plain = await api.userWithToken('paul', 'user');
      const created = await api.call('POST', '/api/v1/users', { token: api.ownerToken, body: { username: 'ian', email: 'ian@example.com' } });
      expect(created.body.inviteLink).toBeDefined();
      expect((await api.call('GET', `/api/v1/users/${created.body.id}/invite_link`, { token: plain.token })).status).toBe(404);
      const short = createLifecycleService({ store: api.store, hasher: api.directory.hasher, lifetimes: { invite: -1000 } });
      const issued = await short.tokens.inviteLinkFor(created.body.id, systemActor());
      expect((await api.call('POST', '/api/v1/auth/invite/accept', { body: { token: issued.secret, password: PASSWORD } })).status).toBe(400);
      const withPassword = await api.call('POST', '/api/v1/users', { token: api.ownerToken, body: { username: 'ines', email: 'ines@example.com', password: PASSWORD } });
      expect(withPassword.status).toBe(201);
      expect(withPassword.body.inviteLink).toBeUndefined();
    });
  });

  describe('impersonation and owner recovery', () => {
    it('a manager gets a temporary password for API login and LDAP bind that bypasses 2FA, audited', async () => {
      const target = await enrolled('ted');
      const manager = await api.userWithToken('max', 'usermanager');
      const first = await api.call('POST', `/api/v1/users/${target.user.id}/impersonate`, { token: manager.token });
      expect(first.status).toBe(200);
      const hours = (new Date(first.body.expiresAt).getTime() - Date.now()) / 3_600_000;
      expect(hours).toBeGreaterThan(5.9);
      expect(hours).toBeLessThanOrEqual(6);
      const second = await api.call('POST', `/api/v1/users/${target.user.id}/impersonate`, { token: manager.token });
      const login = (password: string) => api.call('POST', '/api/v1/auth/login', { body: { identifier: 'ted', password } });
      expect((await login(first.body.password)).status).toBe(401); // replaced
      expect(await login(second.body.password)).toMatchObject({ status: 200, body: { user: { username: 'ted' } } });
      await api.call('PUT', '/api/v1/settings/ldap-2fa', { token: api.ownerToken, body: { required: true } });
      try {
        expect(await bind(binds, 'ted', second.body.password)).toBe('ok');
        expect(await bind(binds, 'tina', second.body.password)).toBe(49); // only for its user
      } finally {
        await api.call('PUT', '/api/v1/settings/ldap-2fa', { token: api.ownerToken, body: { required: false } });
      }
      expect((await login(PASSWORD)).status).toBe(401); // own password still needs the code
      const uses = await api.store.listAudit({ action: 'user.impersonation.use' });
      expect(uses.filter((a) => a.target === target.user.id).map((a) => [a.actor, a.details['via']])).toEqual(
        expect.arrayContaining([[manager.user.id, 'http'], [manager.user.id, 'ldap']]),
      );
      expect((await api.store.listAudit({ action: 'user.impersonate' })).filter((a) => a.target === target.user.id)).toHaveLength(2);
    });

    it('never on a higher role or oneself; expired passwords fail', async () => {
      const manager = await api.userWithToken('mia', 'usermanager');
      expect((await api.call('POST', `/api/v1/users/${api.owner.id}/impersonate`, { token: manager.token })).status).toBe(403);
      expect((await api.call('POST', `/api/v1/users/${manager.user.id}/impersonate`, { token: manager.token })).status).toBe(409);
      const plain = await api.userWithToken('pia', 'user');
      expect((await api.call('POST', `/api/v1/users/${manager.user.id}/impersonate`, { token: plain.token })).status).toBe(404);
      const short = createLifecycleService({ store: api.store, hasher: api.directory.hasher, lifetimes: { impersonation: -1000 } });
      const issued = await short.temporary.impersonate(plain.user.id, systemActor(), '127.0.0.1');
      expect((await api.call('POST', '/api/v1/auth/login', { body: { identifier: 'pia', password: issued.secret } })).status).toBe(401);
    });

    it('owner-login: one login, bypassing 2FA, then never again', async () => {
      const issued = await api.directory.lifecycle.temporary.ownerLogin(systemActor('cli'));
      expect(issued.user.id).toBe(api.owner.id);
      const login = () => api.call('POST', '/api/v1/auth/login', { body: { identifier: 'owner', password: issued.secret } });
      expect((await login()).status).toBe(200);
      expect((await login()).status).toBe(401);
      expect((await api.store.listAudit({ action: 'user.owner_login.use' })).length).toBe(1);
    });
  });

  describe('pages', () => {
    const form = (fields: Record<string, string>) => ({ raw: new URLSearchParams(fields).toString(), contentType: 'application/x-www-form-urlencoded' });

    it('accept-invite: form, errors shown on the page with what was typed (escaped), success, then gone', async () => {
      const created = await api.call('POST', '/api/v1/users', { token: api.ownerToken, body: { email: 'page.invite@example.com' } });
      const path = new URL(created.body.inviteLink).pathname + new URL(created.body.inviteLink).search;
      const shown = await api.call('GET', path);
      expect(shown.status).toBe(200);
      expect(shown.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(shown.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(shown.text).toContain('<label for="username">');
      expect(shown.text).toContain('<label for="password">');
      const token = tokenOf(created.body.inviteLink);
      const bad = await api.call('POST', '/accept-invite', form({ token, username: '<b>x', password: PASSWORD }));
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('role="alert"');
      expect(bad.text).toContain('value="&lt;b&gt;x"');
      expect(bad.text).not.toContain('<b>x');
      const good = await api.call('POST', '/accept-invite', form({ token, username: 'paige', password: PASSWORD }));
      expect(good.status).toBe(200);
      expect(good.text).toContain('Your account paige is ready');
      expect((await api.call('GET', path)).status).toBe(410);
      expect((await api.call('POST', '/api/v1/auth/login', { body: { identifier: 'paige', password: PASSWORD } })).status).toBe(200);
    });

    it('reset-password: form, too-short password kept the link, success, then gone', async () => {
      const { user } = await api.userWithToken('percy', 'user');
      const link = (await api.call('GET', `/api/v1/users/${user.id}/password_reset_link`, { token: api.ownerToken })).body.link as string;
      const path = new URL(link).pathname + new URL(link).search;
      expect((await api.call('GET', path)).text).toContain('<form method="post" action="/reset-password">');
      expect((await api.call('GET', '/reset-password')).status).toBe(410);
      const token = tokenOf(link);
      expect((await api.call('POST', '/reset-password', form({ token, password: 'short' }))).status).toBe(400);
      const done = await api.call('POST', '/reset-password', form({ token, password: 'a new page password' }));
      expect(done.status).toBe(200);
      expect(done.text).toContain('Your password was changed');
      expect((await api.call('GET', path)).status).toBe(410);
      expect((await api.call('POST', '/api/v1/auth/login', { body: { identifier: 'percy', password: 'a new page password' } })).status).toBe(200);
    });
  });

  describe('2FA enrolment page', () => {
    const form = (fields: Record<string, string>) => ({ raw: new URLSearchParams(fields).toString(), contentType: 'application/x-www-form-urlencoded' });
    const hidden = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';

    it('sign in, scan, confirm with a code; the page session ends; a second time says it is on', async () => {
      await api.userWithToken('ezra', 'user');
      expect((await api.call('GET', '/enroll-2fa')).text).toContain('<label for="identifier">');
      const wrong = await api.call('POST', '/enroll-2fa', form({ step: 'signin', identifier: 'ezra', password: 'not it at all' }));
      expect(wrong.status).toBe(400);
      expect(wrong.text).toContain('role="alert"');
      const shown = await api.call('POST', '/enroll-2fa', form({ step: 'signin', identifier: 'ezra', password: PASSWORD }));
      expect(shown.status).toBe(200);
      expect(shown.text).toContain('<img src="data:image/png;base64,');
      const fields = { step: 'enable', session: hidden(shown.text, 'session'), secret: hidden(shown.text, 'secret'), otpauthUrl: hidden(shown.text, 'otpauthUrl') };
      const step = await alignToStep();
      const bad = await api.call('POST', '/enroll-2fa', form({ ...fields, totpToken: code(fields.secret, step + 4) }));
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('<img src="data:image/png;base64,');
      const done = await api.call('POST', '/enroll-2fa', form({ ...fields, totpToken: code(fields.secret, step) }));
      expect(done.status).toBe(200);
      expect(done.text).toContain('Two-factor authentication is on');
      expect((await api.store.findUserByUsername('ezra'))?.totpEnabled).toBe(true);
      expect((await api.call('GET', '/api/v1/profile', { token: fields.session })).status).toBe(401);
      const again = await api.call('POST', '/enroll-2fa', form({ step: 'signin', identifier: 'ezra', password: PASSWORD }));
      expect(again.text).toContain('already on');
    });
  });

  // Last: switching it on ends the owner's session too.
  describe('mandatory 2FA', () => {
    it('ends sessions of users without 2FA; they may then only enrol', async () => {
      const withTotp = await enrolled('wanda');
      const without = await api.userWithToken('walt', 'user');
      const on = await api.call('PUT', '/api/v1/settings/user-directory', { token: api.ownerToken, body: { mandatory2fa: true } });
      expect(on.status).toBe(200);
      expect((await api.call('GET', '/api/v1/profile', { token: without.token })).status).toBe(401);
      expect((await api.call('GET', '/api/v1/profile', { token: withTotp.token })).status).toBe(200);
      const login = await api.call('POST', '/api/v1/auth/login', { body: { identifier: 'walt', password: PASSWORD } });
      expect(login).toMatchObject({ status: 200, body: { mustEnroll2fa: true } });
      const token = login.body.token as string;
      expect(await api.call('GET', '/api/v1/tokens', { token })).toMatchObject({ status: 403, body: { error: { field: 'mustEnroll2fa' } } });
      expect((await api.call('GET', '/api/v1/profile', { token })).status).toBe(200);
      const secret = (await api.call('POST', '/api/v1/profile/2fa/secret', { token })).body.secret as string;
      const step = await alignToStep();
      expect((await api.call('POST', '/api/v1/profile/2fa/enable', { token, body: { totpToken: code(secret, step) } })).status).toBe(200);
      expect((await api.call('GET', '/api/v1/tokens', { token })).status).toBe(200);
      await api.store.write((tx) => tx.setSetting('user_directory', { mandatory2fa: false }));
    });
  });
});
