import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConnectorConfig, type ConnectorConfig } from '../../src/connector/connector-config.js';
import { mergeRangeChunks, parseRangeOption, rangedChunk, RangeRetrievalError, type RangeChunk } from '../../src/connector/ranged-values.js';
import { runSync } from '../../src/connector/run-sync.js';
import { toSourceGroup } from '../../src/connector/source-entries.js';
import type { SyncReport } from '../../src/directory/mirror/sync-report.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { AD_BASE, GROUPS_BASE, groupDn, startAdRangeServer, USERS_BASE, type AdRangeServer } from '../helpers/ad-range-server.js';
import { storeModes, type StoreFixture } from '../helpers/databases.js';

/**
 * Active Directory range retrieval (MS-ADTS 3.1.1.3.1.3.3): groups with more members than
 * MaxValRange (1500) come back as `member;range=0-1499`. The merging is tested as a pure
 * function; the fetching loop against an LDAP server (pgdir's own engine, over TCP) that answers
 * the way AD does, since slapd has no ranges.
 */

const chunk = (low: number, high: number | '*', count: number, from = low): RangeChunk => ({
  low,
  high,
  values: Array.from({ length: count }, (_, i) => `v${from + i}`),
});

describe('range options and merging', () => {
  it('parses <attribute>;range=<low>-<high|*> case-insensitively and nothing else', () => {
    expect(parseRangeOption('member;range=0-1499', 'member')).toEqual({ low: 0, high: 1499 });
    expect(parseRangeOption('Member;Range=1500-*', 'member')).toEqual({ low: 1500, high: '*' });
    expect(parseRangeOption('member', 'member')).toBeUndefined();
    expect(parseRangeOption('uniqueMember;range=0-9', 'member')).toBeUndefined();
    expect(parseRangeOption('member;range=9-3', 'member')).toBeUndefined();
    expect(parseRangeOption('member;range=a-b', 'member')).toBeUndefined();
  });

  it('joins contiguous chunks that end with *', () => {
    expect(mergeRangeChunks([chunk(0, 1499, 1500), chunk(1500, 2999, 1500), chunk(3000, '*', 7)])).toHaveLength(3007);
    expect(mergeRangeChunks([chunk(0, '*', 3)])).toEqual(['v0', 'v1', 'v2']);
    expect(mergeRangeChunks([chunk(0, 1, 2), chunk(2, '*', 0)])).toEqual(['v0', 'v1']);
  });

  it('refuses gaps, overlaps, short chunks and a missing final chunk', () => {
    const cases: [RangeChunk[], RegExp][] = [
      [[chunk(0, 1499, 1500)], /without a final range/],
      [[chunk(0, 1499, 1500), chunk(1501, '*', 5)], /does not follow on/],
      [[chunk(0, 1499, 1500), chunk(1400, '*', 5)], /does not follow on/],
      [[chunk(0, 1499, 1000), chunk(1500, '*', 5)], /holds 1000 values/],
      [[chunk(1500, '*', 5)], /does not follow on from value 0/],
      [[chunk(0, '*', 5), chunk(5, '*', 1)], /not the last chunk/],
      [[], /without a final range/],
    ];
    for (const [chunks, message] of cases) {
      expect(() => mergeRangeChunks(chunks)).toThrow(RangeRetrievalError);
      expect(() => mergeRangeChunks(chunks)).toThrow(message);
    }
  });

  it('reads a ranged entry as an incomplete group until the rest is fetched', () => {
    const config = parseConnectorConfig({ provider: 'ad', url: 'ldap://dc1', base_dn: AD_BASE });
    const entry = { dn: groupDn('big'), cn: 'big', member: [], 'member;range=0-1': ['cn=a', 'cn=b'] };
    expect(toSourceGroup(entry, config)).toMatchObject({ members: ['cn=a', 'cn=b'], incomplete: expect.stringContaining('member;range=0-1') });
    const whole = toSourceGroup({ dn: groupDn('big'), cn: 'big', 'member;range=0-*': ['cn=a'] }, config);
    expect(whole.members).toEqual(['cn=a']);
    expect(whole.incomplete).toBeUndefined();
    // ldapts lists a requested attribute the server did not send as []: that is not a chunk.
    expect(rangedChunk({ dn: 'cn=x', member: ['cn=a'], 'member;range=1500-*': [] }, 'member')).toBeUndefined();
  });
});

const USERS = 3100; // three chunks at AD's 1500: 0-1499, 1500-2999, 3000-*
const sams = (n: number): string[] => Array.from({ length: n }, (_, i) => `user${i}`);

describe.each(storeModes)('ranged member lists from an AD-like server ($mode)', (mode) => {
  let ad: AdRangeServer;
  let fixture: StoreFixture;
  let store: Store;
  let config: ConnectorConfig;
  const sync = async (): Promise<SyncReport> => (await runSync(store, config, { trigger: 'test', batchSize: 1000 })).report;
  const memberCount = async (name: string): Promise<number> => (await store.groupMemberIds((await store.findGroupByName(name))!.id)).length;
  const groupErrors = (r: SyncReport) => r.entries.filter((e) => e.kind === 'group' && e.action === 'error');

  beforeAll(async () => {
    [ad, fixture] = await Promise.all([startAdRangeServer(), mode.create()]);
    store = await openStore(fixture.options);
    for (const sam of sams(USERS)) ad.users.set(sam, { sam });
    ad.groups.set('All Staff', sams(USERS));
    ad.groups.set('Help Desk', ['user0', 'user1']);
    config = parseConnectorConfig({
      provider: 'ad', url: ad.url, bind_dn: `cn=reader,${AD_BASE}`, bind_password: 'x',
      users_base_dn: USERS_BASE, groups_base_dn: GROUPS_BASE, on_missing: 'deactivate', page_size: 1000,
    });
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    await Promise.all([ad?.close(), fixture?.cleanup()]);
  });

  it('fetches member;range=1500-* and 3000-* and mirrors every member', async () => {
    const report = await sync();
    expect(report.status).toBe('ok');
    expect(report.groups).toMatchObject({ created: 2, errors: 0 });
    expect(ad.rangeRequests).toEqual(['All Staff member;range=1500-*', 'All Staff member;range=3000-*']);
    expect(await memberCount('all-staff')).toBe(USERS);
    expect(await memberCount('help-desk')).toBe(2);
  }, 60_000);

  it('a refused range request fails that group only: members kept, error reported', async () => {
    ad.groups.set('All Staff', sams(USERS - 100)); // would drop 100 members if it were read
    ad.groups.set('Help Desk', ['user0']);
    ad.rangeMode.set('All Staff', 'refuse');
    const report = await sync();
    expect(report.status).toBe('ok');
    expect(groupErrors(report)).toEqual([
      expect.objectContaining({ name: 'All Staff', reason: expect.stringMatching(/ranged member list: the source answered LDAP result 53 .*left as it is/) }),
    ]);
    expect(report.groups).toMatchObject({ errors: 1, missing: 0, membershipsChanged: 1 });
    expect(await memberCount('all-staff')).toBe(USERS);
    expect(await memberCount('help-desk')).toBe(1);
  }, 60_000);

  it('ranges that do not add up (a gap, no range at all) also keep the old members', async () => {
    for (const bad of ['skip', 'plain'] as const) {
      ad.rangeMode.set('All Staff', bad);
      const report = await sync();
      expect(groupErrors(report).map((e) => e.name)).toEqual(['All Staff']);
      expect(groupErrors(report)[0]?.reason).toMatch(bad === 'skip' ? /asked for member;range=1500-\*, the source answered range 1501-/ : /without a ranged member/);
      expect(await memberCount('all-staff')).toBe(USERS);
    }
  }, 60_000);

  it('a source going away during range retrieval fails the run and writes nothing', async () => {
    ad.rangeMode.set('All Staff', 'unavailable');
    ad.groups.set('Help Desk', ['user0', 'user1', 'user2']);
    const report = await sync();
    expect(report).toMatchObject({ status: 'failed', errorKind: 'unavailable', error: expect.stringContaining('LDAP result 52') });
    expect(await memberCount('help-desk')).toBe(1);
  }, 60_000);

  it('once the ranges work again the smaller list is applied', async () => {
    ad.rangeMode.delete('All Staff');
    const report = await sync();
    expect(groupErrors(report)).toEqual([]);
    expect(await memberCount('all-staff')).toBe(USERS - 100);
    expect(await memberCount('help-desk')).toBe(3);
  }, 60_000);
});
