import { Client, SizeLimitExceededError } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConnectorConfig, type ConnectorConfig } from '../../src/connector/connector-config.js';
import { guidToUuid } from '../../src/connector/guid.js';
import { verifyMirroredUser } from '../../src/connector/pass-through.js';
import { runSync } from '../../src/connector/run-sync.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { AD_SCHEMA, AD_SUFFIX, adLdif, adUserDn, guidOf, PASSWORD } from './connector-seeds.js';
import { storeModes, type StoreFixture } from '../helpers/databases.js';
import { READER_PASSWORD, slapdAvailable, startTestSlapd, type TestSlapd } from '../helpers/slapd.js';

/**
 * Active Directory shape: sAMAccountName, objectCategory=person (computer accounts are users too
 * and must be left out), binary objectGUID as the stable id, group names with spaces, and more
 * users than the server returns without paging.
 */

const USERS = 250;

describe.skipIf(!slapdAvailable()).each(storeModes)('connector against an AD-like directory ($mode)', (mode) => {
  let slapd: TestSlapd;
  let fixture: StoreFixture;
  let store: Store;
  let config: ConnectorConfig;

  beforeAll(async () => {
    [slapd, fixture] = await Promise.all([startTestSlapd({ suffix: AD_SUFFIX, ldif: adLdif(USERS), schema: AD_SCHEMA, sizeLimit: 100 }), mode.create()]);
    store = await openStore(fixture.options);
    config = parseConnectorConfig({ provider: 'ad', url: slapd.url, ca_file: slapd.pki.caFile, bind_dn: slapd.readerDn, bind_password: READER_PASSWORD, base_dn: AD_SUFFIX, page_size: 100, on_missing: 'deactivate' });
  });

  afterAll(async () => {
    await store?.close();
    await Promise.all([slapd?.cleanup(), fixture?.cleanup()]);
  });

  it('the source refuses an unpaged search over its size limit (so the sync must page)', async () => {
    const client = new Client({ url: slapd.url, tlsOptions: { ca: slapd.pki.ca } });
    try {
      await client.bind(slapd.readerDn, READER_PASSWORD);
      await expect(client.search(AD_SUFFIX, { scope: 'sub', filter: config.usersFilter })).rejects.toBeInstanceOf(SizeLimitExceededError);
    } finally {
      await client.unbind();
    }
  });

  it('mirrors every person (paged), leaves computers out, ids from objectGUID', async () => {
    const { report } = await runSync(store, config, { trigger: 'test' });
    expect(report.status).toBe('ok');
    expect(report.source).toEqual({ users: USERS, groups: 3 });
    expect(report.users).toMatchObject({ created: USERS, skipped: 0, errors: 0 });
    const user7 = await store.findUserByUsername('user7');
    expect(user7).toMatchObject({ source: 'ldap', sourceId: guidToUuid(guidOf('user7')), sourceDn: adUserDn(7), email: 'user7@example.com', displayName: 'User Number 7' });
    expect(await store.findUserByUsername('ws01$')).toBeUndefined();
  });

  it('turns group names with spaces into pgdir names and mirrors their members', async () => {
    const domainUsers = await store.findGroupByName('domain-users');
    expect(domainUsers).toMatchObject({ source: 'ldap', sourceId: guidToUuid(guidOf('group:Domain Users')) });
    expect(await store.groupMemberIds(domainUsers!.id)).toHaveLength(USERS);
    const helpDesk = await store.findGroupByName('help-desk');
    const names = await Promise.all((await store.groupMemberIds(helpDesk!.id)).map(async (id) => (await store.getUser(id))?.username));
    expect(names.sort()).toEqual(['user0', 'user1', 'user2']);
    expect(await store.groupMemberIds((await store.findGroupByName('empty-group'))!.id)).toEqual([]);
  });

  it('is idempotent', async () => {
    const { report } = await runSync(store, config, { trigger: 'test' });
    expect(report.users).toMatchObject({ created: 0, updated: 0, unchanged: USERS });
    expect(report.groups).toMatchObject({ created: 0, updated: 0, unchanged: 3, membershipsChanged: 0 });
  });

  it('a moved user (new DN, same objectGUID) keeps its record; a deleted one is deactivated', async () => {
    const before = await store.findUserByUsername('user3');
    await slapd.modify(`dn: ${adUserDn(3)}\nchangetype: modrdn\nnewrdn: cn=User Three\ndeleteoldrdn: 1\n\n`);
    await slapd.modify(`dn: ${adUserDn(4)}\nchangetype: delete\n\n`);
    const { report } = await runSync(store, config, { trigger: 'test' });
    expect(report.users).toMatchObject({ updated: 1, deactivated: 1, created: 0 });
    expect(await store.findUserByUsername('user3')).toMatchObject({ id: before!.id, sourceDn: `cn=User Three,ou=Staff,${AD_SUFFIX}` });
    expect(await store.findUserByUsername('user4')).toMatchObject({ active: false });
    const domainUsers = await store.findGroupByName('domain-users');
    expect(await store.groupMemberIds(domainUsers!.id)).toHaveLength(USERS - 1);
  });

  it('pass-through binds to the moved DN', async () => {
    const user3 = (await store.findUserByUsername('user3'))!;
    expect(await verifyMirroredUser(config, user3, PASSWORD)).toBe(true);
    expect(await verifyMirroredUser(config, user3, 'wrong')).toBe(false);
  });
});
