import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPasswordHasher } from '../../src/crypto/password-hasher.js';
import { ADMIN_SECRET_SETTING } from '../../src/directory/auth/admin-secret.js';
import type { DirectoryServerSettings } from '../../src/directory/settings/directory-settings.js';
import { storeModes } from '../helpers/databases.js';
import { PASSWORD, startApi, type Api } from './http-fixture.js';

describe.each(storeModes)('HTTP profile, settings, service accounts and audit on $mode', (mode) => {
  let api: Api;
  const applied: DirectoryServerSettings[] = [];
  beforeAll(async () => {
    api = await startApi(mode, {
      pinned: { userDirectory: { mandatory2fa: false } },
      defaultAllowlist: ['127.0.0.1', '::1'],
      onDirectoryServerChange: (s) => void applied.push(s),
    });
  });
  afterAll(async () => {
    await api?.close();
  });

  describe('profile', () => {
    it('reads and changes your own name and emails; locked profiles refuse name and email with 403', async () => {
      const { user, token } = await api.userWithToken('pat', 'user');
      const me = await api.call('GET', '/api/v1/profile', { token });
      expect(me.body).toMatchObject({ id: user.id, username: 'pat', profileLocked: false, groups: [] });
      const changed = await api.call('PATCH', '/api/v1/profile', { token, body: { fullName: 'Pat Doe', email: 'pat.doe@example.com' } });
      expect(changed.body).toMatchObject({ fullName: 'Pat Doe', email: 'pat.doe@example.com' });
      const [audit] = await api.store.listAudit({ action: 'user.update', limit: 1 });
      expect(audit).toMatchObject({ actor: user.id, target: user.id, details: { after: { displayName: 'Pat Doe' } } });
      expect((await api.call('PATCH', '/api/v1/profile', { token, body: { role: 'owner' } })).status).toBe(400);

      expect((await api.call('PUT', '/api/v1/settings/user-directory', { token: api.ownerToken, body: { lockProfiles: true } })).status).toBe(200);
      expect((await api.call('GET', '/api/v1/profile', { token })).body.profileLocked).toBe(true);
      const name = await api.call('PATCH', '/api/v1/profile', { token, body: { fullName: 'Someone Else' } });
      expect(name).toMatchObject({ status: 403, body: { error: { field: 'fullName' } } });
      const email = await api.call('PATCH', '/api/v1/profile', { token, body: { email: 'other@example.com' } });
      expect(email).toMatchObject({ status: 403, body: { error: { field: 'email' } } });
      expect((await api.call('PATCH', '/api/v1/profile', { token, body: { fallbackEmail: 'pat@backup.example' } })).status).toBe(200);
      expect((await api.store.getUser(user.id))?.displayName).toBe('Pat Doe');
      // Managers still can, for others and themselves.
      const m = await api.userWithToken('lockmanager', 'usermanager');
      expect((await api.call('PATCH', `/api/v1/users/${user.id}`, { token: m.token, body: { fullName: 'Pat by manager' } })).status).toBe(200);
      expect((await api.call('PATCH', '/api/v1/profile', { token: m.token, body: { fullName: 'Manager' } })).status).toBe(200);
      await api.call('PUT', '/api/v1/settings/user-directory', { token: api.ownerToken, body: { lockProfiles: false } });
    });

    it('changes your password with the current one; old sessions end and a new one is returned', async () => {
      const { token } = await api.userWithToken('pwchange', 'user');
      const wrong = await api.call('PUT', '/api/v1/profile/password', { token, body: { password: 'not it at all', newPassword: 'new secret value' } });
      expect(wrong).toMatchObject({ status: 400, body: { error: { field: 'password' } } });
      const weak = await api.call('PUT', '/api/v1/profile/password', { token, body: { password: PASSWORD, newPassword: 'short' } });
      expect(weak).toMatchObject({ status: 400, body: { error: { field: 'newPassword' } } });
      const ok = await api.call('PUT', '/api/v1/profile/password', { token, body: { password: PASSWORD, newPassword: 'new secret value' } });
      expect(ok.status).toBe(200);
      expect((await api.call('GET', '/api/v1/profile', { token })).status).toBe(401);
      expect((await api.call('GET', '/api/v1/profile', { token: ok.body.token })).status).toBe(200);
      await api.login('pwchange', 'new secret value');
    });
  });

  describe('settings', () => {
    it('directory server: reads defaults, stores the allowlist with comments, rejects bad lines by number, notifies LDAP', async () => {
      const { token: plain } = await api.userWithToken('nosettings', 'usermanager');
      expect((await api.call('GET', '/api/v1/settings/directory-server', { token: plain })).status).toBe(403);
      const initial = await api.call('GET', '/api/v1/settings/directory-server', { token: api.ownerToken });
      expect(initial.body).toEqual({ enabled: true, allowlist: '127.0.0.1\n::1', locked: [], secretLocked: false });
      const allowlist = '# office\n10.0.0.0/8\n\n2001:db8::/32 # vpn\n';
      const put = await api.call('PUT', '/api/v1/settings/directory-server', { token: api.ownerToken, body: { enabled: false, allowlist } });
      expect(put.body).toMatchObject({ enabled: false, allowlist });
      expect(applied.at(-1)).toEqual({ enabled: false, allowlist });
      expect(await api.store.getSetting('directory_server')).toEqual({ enabled: false, allowlist });
      const bad = await api.call('PUT', '/api/v1/settings/directory-server', { token: api.ownerToken, body: { allowlist: '10.0.0.1\n# ok\n300.1.1.1\n' } });
      expect(bad).toMatchObject({ status: 400, body: { error: { field: 'allowlist', message: expect.stringMatching(/^line 3: /) } } });
      expect((await api.store.getSetting<{ allowlist: string }>('directory_server'))?.allowlist).toBe(allowlist);
      const empty = await api.call('PUT', '/api/v1/settings/directory-server', { token: api.ownerToken, body: {} });
      expect(empty.status).toBe(400);
      const [audit] = await api.store.listAudit({ action: 'settings.directoryServer', limit: 1 });
      expect(audit?.details).toMatchObject({ before: { enabled: true }, after: { enabled: false, allowlist } });
    });

    it('rotates the directory admin secret and returns it once', async () => {
      const res = await api.call('POST', '/api/v1/settings/directory-server/secret', { token: api.ownerToken });
      expect(res.status).toBe(201);
      expect(res.body.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const stored = await api.store.getSetting<{ salt: string; sha256: string }>(ADMIN_SECRET_SETTING);
      const { createHash } = await import('node:crypto');
      expect(stored?.sha256).toBe(createHash('sha256').update(stored?.salt ?? '').update(res.body.secret).digest('hex'));
      expect(JSON.stringify(await api.store.listAudit({ limit: 20 }))).not.toContain(res.body.secret);
    });

    it('user directory: pinned values are reported locked and refuse other values with 409', async () => {
      const got = await api.call('GET', '/api/v1/settings/user-directory', { token: api.ownerToken });
      expect(got.body).toMatchObject({ mandatory2fa: false, locked: ['mandatory2fa'] });
      const refused = await api.call('PUT', '/api/v1/settings/user-directory', { token: api.ownerToken, body: { mandatory2fa: true } });
      expect(refused).toMatchObject({ status: 409, body: { error: { field: 'mandatory2fa' } } });
      const same = await api.call('PUT', '/api/v1/settings/user-directory', { token: api.ownerToken, body: { mandatory2fa: false, lockProfiles: false } });
      expect(same.status).toBe(200);
    });
  });

  describe('service accounts', () => {
    it('creates with a one-time secret that verifies, rotates, patches, lists and deletes', async () => {
      const created = await api.call('POST', '/api/v1/service-accounts', { token: api.ownerToken, body: { name: 'Nextcloud', allowedCidrs: ['10.1.0.0/16'] } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'nextcloud', allowedCidrs: ['10.1.0.0/16'], privileged: false, secret: expect.any(String) });
      const hasher = createPasswordHasher({ cost: 4 });
      const stored = await api.store.findServiceAccountByName('nextcloud');
      expect(await hasher.verify(created.body.secret, stored?.secretHash)).toBe(true);
      const list = await api.call('GET', '/api/v1/service-accounts', { token: api.ownerToken });
      expect(list.body.items).toHaveLength(1);
      expect(JSON.stringify(list.body)).not.toContain('secret');
      expect((await api.call('POST', '/api/v1/service-accounts', { token: api.ownerToken, body: { name: 'nextcloud' } })).status).toBe(409);
      expect((await api.call('POST', '/api/v1/service-accounts', { token: api.ownerToken, body: { name: 'admin' } })).status).toBe(409);
      const badCidr = await api.call('POST', '/api/v1/service-accounts', { token: api.ownerToken, body: { name: 'x', allowedCidrs: ['10.0.0.0/99'] } });
      expect(badCidr).toMatchObject({ status: 400, body: { error: { field: 'allowlist' } } });
      const rotated = await api.call('POST', '/api/v1/service-accounts/nextcloud/secret', { token: api.ownerToken });
      expect(rotated.body.secret).not.toBe(created.body.secret);
      const after = await api.store.findServiceAccountByName('nextcloud');
      expect(await hasher.verify(created.body.secret, after?.secretHash)).toBe(false);
      expect(await hasher.verify(rotated.body.secret, after?.secretHash)).toBe(true);
      const patched = await api.call('PATCH', `/api/v1/service-accounts/${created.body.id}`, { token: api.ownerToken, body: { privileged: true } });
      expect(patched.body).toMatchObject({ privileged: true, allowedCidrs: ['10.1.0.0/16'] });
      const { token: manager } = await api.userWithToken('samanager', 'usermanager');
      expect((await api.call('GET', '/api/v1/service-accounts', { token: manager })).status).toBe(403);
      expect((await api.call('DELETE', '/api/v1/service-accounts/nextcloud', { token: api.ownerToken })).status).toBe(204);
      expect(await api.store.listServiceAccounts()).toEqual([]);
      const actions = (await api.store.listAudit({ limit: 20 })).map((a) => a.action).filter((a) => a.startsWith('serviceAccount.'));
      expect(actions).toEqual(['serviceAccount.delete', 'serviceAccount.update', 'serviceAccount.rotateSecret', 'serviceAccount.create']);
    });
  });

  describe('audit', () => {
    it('lists newest first with paging and an action filter; admins only', async () => {
      const page1 = await api.call('GET', '/api/v1/audit?per_page=2', { token: api.ownerToken });
      expect(page1.body).toMatchObject({ page: 1, perPage: 2, hasMore: true });
      expect(page1.body.items).toHaveLength(2);
      expect(page1.body.items[0].id).toBeGreaterThan(page1.body.items[1].id);
      const page2 = await api.call('GET', '/api/v1/audit?per_page=2&page=2', { token: api.ownerToken });
      expect(page2.body.items[0].id).toBeLessThan(page1.body.items[1].id);
      const logins = await api.call('GET', '/api/v1/audit?action=http.login&per_page=1000', { token: api.ownerToken });
      expect(logins.body.items.length).toBeGreaterThan(3);
      expect(logins.body.items.every((a: { action: string }) => a.action === 'http.login')).toBe(true);
      const { token } = await api.userWithToken('noaudit', 'usermanager');
      expect((await api.call('GET', '/api/v1/audit', { token })).status).toBe(403);
    });
  });
});

describe('pinned admin secret and mandatory 2FA', () => {
  it('refuses rotation when pinned; enabling mandatory 2FA ends sessions of users without 2FA', async () => {
    const pglite = storeModes.find((m) => m.mode === 'pglite');
    if (pglite === undefined) throw new Error('no PGlite mode');
    const api = await startApi(pglite, { pinned: { adminSecret: true } });
    try {
      const rotate = await api.call('POST', '/api/v1/settings/directory-server/secret', { token: api.ownerToken });
      expect(rotate).toMatchObject({ status: 409, body: { error: { field: 'secret' } } });
      expect((await api.call('GET', '/api/v1/settings/directory-server', { token: api.ownerToken })).body.secretLocked).toBe(true);
      const { token } = await api.userWithToken('no2fa', 'user');
      const script = await api.call('POST', '/api/v1/tokens', { token: api.ownerToken, body: { name: 'script', scope: 'readwrite' } });
      const on = await api.call('PUT', '/api/v1/settings/user-directory', { token: api.ownerToken, body: { mandatory2fa: true } });
      expect(on.body).toMatchObject({ mandatory2fa: true, locked: [] });
      expect((await api.call('GET', '/api/v1/profile', { token })).status).toBe(401);
      expect((await api.call('GET', '/api/v1/profile', { token: api.ownerToken })).status).toBe(401);
      // API tokens are not login sessions: they keep working.
      expect((await api.call('GET', '/api/v1/profile', { token: script.body.token })).status).toBe(200);
    } finally {
      await api.close();
    }
  });
});
