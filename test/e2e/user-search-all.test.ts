import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessCases } from './cases/access-cases.js';
import { ldapsearch, label, sorted } from './cases/context.js';
import { rootDseCases } from './cases/root-dse-cases.js';
import { startDirectory, USERS_DN, type E2eDirectory } from './harness.js';
import { ACTIVE_USERNAMES } from './seed.js';

/**
 * A second daemon with other settings: `ldap.user_search: all`, a server size limit of 3 and no
 * plain listener (so no StartTLS advertised). PGlite only; the main suite covers both stores.
 */
describe('pgdir serve with user_search all, size_limit 3, LDAPS only', () => {
  let directory: E2eDirectory | undefined;
  const dir = (): E2eDirectory => {
    if (directory === undefined) throw new Error('the directory did not start (see beforeAll)');
    return directory;
  };

  beforeAll(async () => {
    directory = await startDirectory({ mode: 'pglite', userSearch: 'all', sizeLimit: 3, plainListener: false });
  }, 120_000);

  afterAll(async () => {
    const exit = await directory?.stop();
    if (exit !== undefined) expect(exit).toEqual({ code: 0, signal: null });
  }, 30_000);

  describe('rootDSE', () => rootDseCases(dir, { plainListener: false }));
  describe('access (user_search: all)', () => accessCases(dir, 'all'));

  it('the server size limit caps an unpaged search: 3 entries, then 4 sizeLimitExceeded', async () => {
    const r = await ldapsearch(dir(), { base: USERS_DN, filter: '(objectClass=inetOrgPerson)', attrs: ['uid'] });
    expect(r.code).toBe(4);
    expect(r.entries).toHaveLength(3);
    const smaller = await ldapsearch(dir(), { base: USERS_DN, filter: '(objectClass=inetOrgPerson)', extra: ['-z', '2'], attrs: ['uid'] });
    expect(smaller.code).toBe(4);
    expect(smaller.entries).toHaveLength(2);
  });

  it('paging is not cut by the server size limit (clients.md §1.18, glauth#407): all 5 users in pages of 2', async () => {
    const r = await ldapsearch(dir(), { base: USERS_DN, filter: '(objectClass=inetOrgPerson)', extra: ['-E', 'pr=2/noprompt'], attrs: ['uid'], lll: false });
    expect(r.code, r.stderr).toBe(0);
    expect(sorted(r.entries.map(label))).toEqual(sorted(ACTIVE_USERNAMES));
  });

  it('a client limit under the server limit that the result fits in is no error', async () => {
    const r = await ldapsearch(dir(), { base: USERS_DN, filter: '(|(uid=alice)(uid=bob))', extra: ['-z', '3'], attrs: ['uid'] });
    expect(r.code, r.stderr).toBe(0);
    expect(sorted(r.entries.map(label))).toEqual(['alice', 'bob']);
    expect(ACTIVE_USERNAMES.length).toBeGreaterThan(3);
  });
});
