import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector, type Connector } from '../../src/connector/connector.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { OKTA_SUFFIX, oktaLdif, PASSWORD } from './connector-seeds.js';
import { storeModes, type StoreFixture } from '../helpers/databases.js';
import { READER_PASSWORD, slapdAvailable, startTestSlapd, type TestSlapd } from '../helpers/slapd.js';

/**
 * Okta's LDAP Interface shape: email-address logins in uid (mirrored as their local part), the Okta
 * user id in uniqueIdentifier, groupOfUniqueNames with uniqueMember, and a group named like a
 * pgdir built-in group.
 */
describe.skipIf(!slapdAvailable())('connector against an Okta-like directory', () => {
  let slapd: TestSlapd;
  let fixture: StoreFixture;
  let store: Store;
  let connector: Connector;

  beforeAll(async () => {
    [slapd, fixture] = await Promise.all([startTestSlapd({ suffix: OKTA_SUFFIX, ldif: oktaLdif() }), storeModes[1]!.create()]);
    store = await openStore(fixture.options);
    connector = createConnector({ store, pinned: { provider: 'okta', url: slapd.url, ca_file: slapd.pki.caFile, bind_dn: slapd.readerDn, bind_password: READER_PASSWORD, base_dn: OKTA_SUFFIX, auto_create: true } });
  });

  afterAll(async () => {
    await connector?.close();
    await store?.close();
    await Promise.all([slapd?.cleanup(), fixture?.cleanup()]);
  });

  it('mirrors email logins as usernames, ids from uniqueIdentifier, members from uniqueMember', async () => {
    const { report } = await connector.sync({ trigger: 'test' });
    expect(report.users).toMatchObject({ created: 2, skipped: 0 });
    expect(await store.findUserByUsername('ann')).toMatchObject({ email: 'ann@acme.com', sourceId: '00u1ann', displayName: 'Ann Okta', sourceDn: `uid=ann@acme.com,ou=users,${OKTA_SUFFIX}` });
    const everyone = (await store.findGroupByName('everyone'))!;
    expect(await store.groupMemberIds(everyone.id)).toHaveLength(2);
    // "admins" is a pgdir built-in group: skipped with the reason, never merged into it.
    expect(report.entries.find((e) => e.kind === 'group' && e.action === 'skip')).toMatchObject({ name: 'admins', reason: expect.stringMatching(/built in/) });
  });

  it('binds pass through to the Okta DN', async () => {
    const ann = (await store.findUserByUsername('ann'))!;
    expect(await connector.verifier.verify(ann, PASSWORD)).toBe(true);
    expect(await connector.verifier.verify(ann, 'nope')).toBe(false);
  });

  it('auto-creates by the short username when the source holds the email login', async () => {
    await slapd.modify(`dn: uid=cid@acme.com,ou=users,${OKTA_SUFFIX}\nchangetype: add\nobjectClass: inetOrgPerson\nobjectClass: extensibleObject\nuid: cid@acme.com\ncn: Cid\nsn: Cid\nmail: cid@acme.com\nuniqueIdentifier: 00u3cid\nuserPassword: ${PASSWORD}\n\n`);
    const outcome = await connector.autoCreate('cid', PASSWORD);
    expect('created' in outcome && outcome.created).toMatchObject({ username: 'cid', sourceId: '00u3cid' });
  });
});
