import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../../src/domain/actor.js';
import { openAdminSecret } from '../../../src/directory/auth/admin-secret.js';
import { appPasswordLetters, newAppPassword } from '../../../src/directory/auth/app-password-secret.js';
import { createAppPasswords } from '../../../src/directory/auth/app-passwords.js';
import { createAuthThrottle } from '../../../src/directory/auth/auth-throttle.js';
import { createBindService, type BindService, type BindServiceDeps } from '../../../src/directory/auth/bind-service.js';
import { base32Decode, hotp, totpStep } from '../../../src/crypto/totp.js';
import { createDirectoryView, type DirectoryView } from '../../../src/directory/view/index.js';
import { DirectoryError } from '../../../src/domain/errors.js';
import { writeLdapTotpRequired } from '../../../src/directory/settings/ldap-totp.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { createTempDir, storeModes } from '../../helpers/databases.js';
import { PASSWORD, startApi, type Api } from '../../http/http-fixture.js';

const SUFFIX = 'dc=example,dc=com';
const dn = (name: string) => `cn=${name},ou=users,${SUFFIX}`;

async function outcome(p: Promise<unknown>): Promise<number | 'ok'> {
  try {
    await p;
    return 'ok';
  } catch (error) {
    if (error instanceof DirectoryError) return error.resultCode;
    throw error;
  }
}

describe('app password secrets', () => {
  it('are 24 letters in groups of four, accepted with or without dashes, in any case', () => {
    const secrets = new Set(Array.from({ length: 200 }, newAppPassword));
    expect(secrets.size).toBe(200);
    for (const secret of secrets) {
      expect(secret).toMatch(/^[a-z]{4}(-[a-z]{4}){5}$/);
      const letters = secret.replaceAll('-', '');
      expect(appPasswordLetters(secret)).toBe(letters);
      expect(appPasswordLetters(letters.toUpperCase())).toBe(letters);
      expect(appPasswordLetters(secret.replaceAll('-', ' '))).toBe(letters);
    }
    for (const other of ['', 'correct horse battery', 'abcd-efgh-ijkl-mnop-qrst-uvw1', 'abcd-efgh-ijkl-mnop-qrst', `${'a'.repeat(24)}123456`]) {
      expect(appPasswordLetters(other), other).toBeUndefined();
    }
  });
});

describe.each(storeModes)('app passwords on $mode', (mode) => {
  let api: Api;
  let view: DirectoryView;
  let binds: BindService;
  let deps: BindServiceDeps;
  let dataDir: { path: string; remove(): Promise<void> };
  const counts = { verify: 0, lookup: 0 };
  const bind = async (name: string, password: string, service = binds, target = view) => {
    await target.catchUp();
    return outcome(service.authenticate(dn(name), Buffer.from(password), '127.0.0.1'));
  };
  const create = async (token: string, name: string) => {
    const res = await api.call('POST', '/api/v1/profile/app-passwords', { token, body: { name } });
    expect(res.status, res.text).toBe(201);
    return res.body as { id: string; name: string; password: string; lastUsedAt: string | null };
  };

  beforeAll(async () => {
    api = await startApi(mode);
    dataDir = await createTempDir();
    view = createDirectoryView({ store: api.store, suffix: SUFFIX });
    await view.load();
    const adminSecret = await openAdminSecret({ store: api.store, dataDir: dataDir.path, logger: { info() {}, warn() {} } });
    const { hasher, appPasswords, lifecycle } = api.directory;
    // Counted, to show that failures do the same work whether or not the account exists.
    const countingHasher = { ...hasher, verify: (p: string, e: string | null | undefined) => ((counts.verify += 1), hasher.verify(p, e)) };
    const countingApp = { lookup: (s: string) => ((counts.lookup += 1), appPasswords.lookup(s)), used: (id: string) => appPasswords.used(id) };
    const throttle = createAuthThrottle({ store: api.store, maxFailures: 1000, windowMs: 60_000 });
    deps = { view, hasher: countingHasher, adminSecret, throttle, lifecycle, appPasswords: countingApp };
    binds = createBindService(deps);
  });
  afterAll(async () => {
    view?.close();
    await api?.close();
    await dataDir?.remove();
  });

  it('is shown once, listed without the secret, and binds (any spelling) while the password still works too', async () => {
    const { user, token } = await api.userWithToken('amy', 'user');
    const made = await create(token, '  laptop   mail ');
    expect(made).toMatchObject({ name: 'laptop mail', lastUsedAt: null });
    expect(made.password).toMatch(/^[a-z]{4}(-[a-z]{4}){5}$/);
    const listed = await api.call('GET', '/api/v1/profile/app-passwords', { token });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([{ id: made.id, name: 'laptop mail', createdAt: expect.any(String), lastUsedAt: null }]);
    expect(listed.text).not.toContain(made.password);
    expect(await bind('amy', made.password)).toBe('ok');
    expect(await bind('amy', made.password.replaceAll('-', '').toUpperCase())).toBe('ok');
    expect(await bind('amy', PASSWORD)).toBe('ok');
    // Last used is recorded (not awaited by the bind).
    await expect.poll(async () => (await api.store.appPasswords.list(user.id))[0]?.lastUsedAt ?? null).not.toBeNull();
    const audit = await api.store.listAudit({ action: 'app_password.create', target: user.id });
    expect(audit).toHaveLength(1);
    expect(audit[0]?.details).toEqual({ id: made.id, name: 'laptop mail' });
    expect(JSON.stringify(audit)).not.toContain(made.password);
  });

  it('is not a password for the API login, nor for another user', async () => {
    const { token } = await api.userWithToken('ben', 'user');
    await api.userWithToken('cat', 'user');
    const made = await create(token, 'phone');
    expect((await api.call('POST', '/api/v1/auth/login', { body: { identifier: 'ben', password: made.password } })).status).toBe(401);
    expect(await bind('cat', made.password)).toBe(49);
    expect(await bind('ben', made.password)).toBe('ok');
  });

  it('binds without the TOTP code an enrolled user needs for the password', async () => {
    await writeLdapTotpRequired(api.store, true, systemActor(), '127.0.0.1');
    const { user, token } = await api.userWithToken('dora', 'user');
    const secret = (await api.call('POST', '/api/v1/profile/2fa/secret', { token })).body.secret as string;
    const step = totpStep(Date.now());
    const enabled = await api.call('POST', '/api/v1/profile/2fa/enable', { token, body: { totpToken: hotp(base32Decode(secret), step) } });
    expect(enabled.status, enabled.text).toBe(200);
    const fresh = await api.login('dora', PASSWORD).catch(() => undefined);
    expect(fresh).toBeUndefined(); // the password alone is no longer enough over the API
    const session = await api.call('POST', '/api/v1/auth/login', { body: { identifier: 'dora', password: PASSWORD, totpToken: hotp(base32Decode(secret), step + 1) } });
    expect(session.status, session.text).toBe(200);
    const made = await create(session.body.token as string, 'thunderbird');
    expect(await bind('dora', made.password)).toBe('ok');
    expect(await bind('dora', PASSWORD)).toBe(49); // the password alone needs the code over LDAP now
    await writeLdapTotpRequired(api.store, false, systemActor(), '127.0.0.1');
    expect(user.totpEnabled).toBe(false); // the record from before enrolment
  });

  it('revoked: the next bind fails at once; a disabled user\'s app passwords fail; both audited', async () => {
    const { user, token } = await api.userWithToken('eve', 'user');
    const one = await create(token, 'one');
    const two = await create(token, 'two');
    expect(await bind('eve', one.password)).toBe('ok');
    expect((await api.call('DELETE', `/api/v1/profile/app-passwords/${one.id}`, { token })).status).toBe(204);
    expect(await bind('eve', one.password)).toBe(49);
    expect((await api.call('DELETE', `/api/v1/profile/app-passwords/${one.id}`, { token })).status).toBe(404);
    expect(await bind('eve', two.password)).toBe('ok');
    await api.directory.users.setActive(user.id, false, systemActor());
    expect(await bind('eve', two.password)).toBe(49);
    await api.directory.users.setActive(user.id, true, systemActor());
    expect(await bind('eve', two.password)).toBe('ok');
    const revoked = await api.store.listAudit({ action: 'app_password.revoke', target: user.id });
    expect(revoked.map((r) => r.details)).toEqual([{ id: one.id, name: 'one' }]);
  });

  it('failures cost the same work whether or not the account exists: one lookup and one bcrypt each', async () => {
    const { token } = await api.userWithToken('fay', 'user');
    await create(token, 'x');
    const cost = async (name: string, password: string) => {
      const before = { ...counts };
      expect(await bind(name, password)).toBe(49);
      return { verify: counts.verify - before.verify, lookup: counts.lookup - before.lookup };
    };
    const wrong = newAppPassword();
    expect(await cost('fay', wrong)).toEqual({ verify: 1, lookup: 1 });
    expect(await cost('nobody-here', wrong)).toEqual({ verify: 1, lookup: 1 });
    expect(await cost('fay', 'not an app password')).toEqual({ verify: 1, lookup: 1 });
    expect(await cost('nobody-here', 'not an app password')).toEqual({ verify: 1, lookup: 1 });
  });

  it('admins list and revoke a user\'s; a plain user sees only 404 for others; managers are refused', async () => {
    const { user, token } = await api.userWithToken('gus', 'user');
    const made = await create(token, 'imap');
    const admin = await api.userWithToken('gus-admin', 'admin');
    const manager = await api.userWithToken('gus-manager', 'usermanager');
    const { token: other } = await api.userWithToken('hal', 'user');
    const listed = await api.call('GET', `/api/v1/users/gus/app-passwords`, { token: admin.token });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((p: { id: string }) => p.id)).toEqual([made.id]);
    expect((await api.call('GET', `/api/v1/users/${user.id}/app-passwords`, { token: other })).status).toBe(404);
    expect((await api.call('GET', `/api/v1/users/${user.id}/app-passwords`, { token: manager.token })).status).toBe(403);
    expect((await api.call('DELETE', `/api/v1/users/gus/app-passwords/${made.id}`, { token: other })).status).toBe(404);
    expect((await api.call('DELETE', `/api/v1/users/gus/app-passwords/${made.id}`, { token: admin.token })).status).toBe(204);
    expect(await bind('gus', made.password)).toBe(49);
    // An admin cannot act on an owner's.
    const owners = await api.call('GET', `/api/v1/users/owner/app-passwords`, { token: admin.token });
    expect(owners.status).toBe(403);
    const audit = await api.store.listAudit({ action: 'app_password.revoke', target: user.id });
    expect(audit[0]?.actor).toBe(admin.user.id);
  });

  it('bad input: empty, too long or control-character names (400), unknown fields (400), read-only tokens (403), the cap (409)', async () => {
    const { user, token } = await api.userWithToken('ida', 'user');
    for (const name of ['', '   ', 'x'.repeat(101), 'a\nb']) {
      const res = await api.call('POST', '/api/v1/profile/app-passwords', { token, body: { name } });
      expect({ name, status: res.status, field: res.body?.error?.field }).toEqual({ name, status: 400, field: 'name' });
    }
    expect((await api.call('POST', '/api/v1/profile/app-passwords', { token, body: { name: 'a', password: 'mine' } })).status).toBe(400);
    expect((await api.call('POST', '/api/v1/profile/app-passwords', { token, body: {} })).status).toBe(400);
    const readOnly = await api.call('POST', '/api/v1/tokens', { token, body: { name: 'ro', scope: 'read' } });
    const ro = readOnly.body.token as string;
    expect((await api.call('POST', '/api/v1/profile/app-passwords', { token: ro, body: { name: 'r' } })).status).toBe(403);
    expect((await api.call('GET', '/api/v1/profile/app-passwords', { token: ro })).status).toBe(200);
    expect((await api.call('DELETE', '/api/v1/profile/app-passwords/not-a-uuid', { token })).status).toBe(404);
    const service = createAppPasswords(api.store);
    for (let i = 0; i < 50; i += 1) await service.create({ kind: 'user', id: user.id, role: 'user' }, `n${i}`, null);
    const capped = await api.call('POST', '/api/v1/profile/app-passwords', { token, body: { name: 'one too many' } });
    expect(capped.status).toBe(409);
    expect((await api.store.appPasswords.list(user.id)).length).toBe(50);
  });

  it('deleting the user removes their app passwords', async () => {
    const { user, token } = await api.userWithToken('jo', 'user');
    await create(token, 'gone');
    await api.directory.users.deleteUser(user.id, systemActor());
    expect(await api.store.appPasswords.list(user.id)).toEqual([]);
  });

  it.runIf(mode.mode === 'postgres')('a revocation on one replica fails the next bind on another at once', async () => {
    const { token } = await api.userWithToken('kim', 'user');
    const made = await create(token, 'replica');
    const other = await openReplica(api.databaseUrl);
    const otherView = createDirectoryView({ store: other.store, suffix: SUFFIX });
    await otherView.load();
    try {
      const otherBinds = createBindService({ ...deps, view: otherView, appPasswords: createAppPasswords(other.store) });
      expect(await bind('kim', made.password, otherBinds, otherView)).toBe('ok');
      expect((await api.call('DELETE', `/api/v1/profile/app-passwords/${made.id}`, { token })).status).toBe(204);
      expect(await bind('kim', made.password, otherBinds, otherView)).toBe(49);
    } finally {
      otherView.close();
      await other.close();
    }
  });
});

/** A second process's store on the same PostgreSQL database (what another replica opens). */
async function openReplica(url: string | undefined): Promise<{ store: Store; close(): Promise<void> }> {
  if (url === undefined) throw new Error('the replica test needs the database url');
  const dir = await createTempDir();
  const replica = await openStore({ url, dataDir: dir.path });
  return { store: replica, close: async () => (await replica.close(), await dir.remove()) };
}
