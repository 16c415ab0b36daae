import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsForActor } from '../../../src/directory/access/actor-services.js';
import { createDirectoryServices, type DirectoryServices } from '../../../src/directory/directory-services.js';
import { findByIdOrName } from '../../../src/directory/id-or-name.js';
import { createPasswordHasher } from '../../../src/crypto/password-hasher.js';
import { SettingKey } from '../../../src/directory/settings/setting-keys.js';
import { createSettingsUseCases } from '../../../src/directory/settings/settings-service.js';
import { systemActor, userActor } from '../../../src/domain/actor.js';
import { DirectoryError } from '../../../src/domain/errors.js';
import { isUuid } from '../../../src/domain/uuid.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { storeModes, type StoreFixture } from '../../helpers/databases.js';

/**
 * Access control as a wrapper (directory/access/actor-services.ts): the use cases reached through
 * directory.as(actor) and settingsForActor ask may() before anything runs, and what they write
 * goes through one transaction with its audit entry.
 */

async function refusal(p: Promise<unknown>): Promise<DirectoryError> {
  const error = await p.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DirectoryError);
  return error as DirectoryError;
}

describe('directory access wrapper (PGlite)', () => {
  let fixture: StoreFixture;
  let store: Store;
  let dir: DirectoryServices;
  const CLI = systemActor('cli');

  beforeAll(async () => {
    fixture = await storeModes[1]!.create();
    store = await openStore(fixture.options);
    dir = createDirectoryServices({ store, hasher: createPasswordHasher({ cost: 4 }) });
  });
  afterAll(async () => {
    await store?.close();
    await fixture?.cleanup();
  });

  it('refuses a plain user before looking at the request: no row, no audit entry', async () => {
    const plain = await dir.users.addUser({ username: 'plain', email: 'plain@example.com', role: 'user' }, CLI);
    const auditBefore = (await store.listAudit({})).length;
    const denied = await refusal(dir.as(userActor(plain)).serviceAccounts.create({ name: 'app' }));
    expect(denied).toMatchObject({ kind: 'forbidden', status: 403 });
    // A ref that names nothing still answers 403, not 404: the check runs first.
    expect(await refusal(dir.as(userActor(plain)).serviceAccounts.get('nobody'))).toMatchObject({ kind: 'forbidden' });
    expect(await refusal(dir.as(userActor(plain)).setUserGroups('nobody', []))).toMatchObject({ kind: 'forbidden' });
    expect(await store.listServiceAccounts()).toEqual([]);
    expect((await store.listAudit({})).length).toBe(auditBefore);
  });

  it('an admin creates, finds by id or name in any case, and deletes, each audited', async () => {
    const admin = dir.as(CLI).serviceAccounts;
    const { account, secret } = await admin.create({ name: 'Gitea', allowedCidrs: ['10.0.0.0/8'] });
    expect(secret.length).toBeGreaterThan(30);
    expect((await admin.get(account.id.toUpperCase())).id).toBe(account.id);
    expect((await admin.get(' gitea ')).id).toBe(account.id);
    expect(await refusal(admin.get('gone'))).toMatchObject({ kind: 'not_found', message: 'no service account "gone"' });
    await admin.remove('gitea');
    const actions = (await store.listAudit({})).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['serviceAccount.create', 'serviceAccount.delete']));
  });

  it('settings: read needs settings.read, change settings.write; the LDAP 2FA switch is stored and audited', async () => {
    const settings = createSettingsUseCases({ store, pinned: { adminSecret: true }, defaultAllowlist: '127.0.0.1' });
    const plain = await dir.users.addUser({ username: 'plain2', email: 'plain2@example.com', role: 'user' }, CLI);
    expect(await refusal(settingsForActor(settings, userActor(plain), store).ldapTotpRequired())).toMatchObject({ kind: 'forbidden' });
    // Refused before the pinned-secret conflict: 403, not 409.
    expect(await refusal(settingsForActor(settings, userActor(plain), store).rotateAdminSecret())).toMatchObject({ kind: 'forbidden' });
    const cli = settingsForActor(settings, CLI, store);
    expect(await refusal(cli.rotateAdminSecret())).toMatchObject({ kind: 'conflict', field: 'secret' });
    await cli.setLdapTotpRequired(true, '192.0.2.7');
    expect(await cli.ldapTotpRequired()).toBe(true);
    expect(await store.getSetting(SettingKey.ldapTotp)).toEqual({ required: true });
    expect((await store.listAudit({ action: 'settings.ldap_2fa' }))[0]).toMatchObject({ actor: 'cli', ip: '192.0.2.7', details: { required: true } });
    expect((await cli.directoryServer()).values).toEqual({ enabled: true, allowlist: '127.0.0.1' });
  });
});

describe('one id-or-name lookup, one UUID test', () => {
  const uuid = '0b7c6a52-3f5e-4a8e-9b8c-1d2e3f4a5b6c';
  it('recognises UUIDs in either case and nothing else', () => {
    expect(isUuid(uuid)).toBe(true);
    expect(isUuid(uuid.toUpperCase())).toBe(true);
    expect(isUuid(`${uuid}0`)).toBe(false);
    expect(isUuid('uid-' + uuid)).toBe(false);
  });
  it('tries a UUID as an id first, then as a name; names are trimmed and lower-cased', async () => {
    const seen: string[] = [];
    const lookups = {
      byId: async (id: string) => (seen.push(`id:${id}`), id === uuid ? 'by-id' : undefined),
      byName: async (name: string) => (seen.push(`name:${name}`), name === 'alice' ? 'by-name' : undefined),
    };
    expect(await findByIdOrName(` ${uuid.toUpperCase()} `, lookups)).toBe('by-id');
    expect(await findByIdOrName(' Alice ', lookups)).toBe('by-name');
    expect(seen).toEqual([`id:${uuid}`, 'name:alice']);
  });
});
