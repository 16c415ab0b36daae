import { afterAll, beforeAll, describe, expect } from 'vitest';
import { accessCases } from './cases/access-cases.js';
import { bindCases } from './cases/bind-cases.js';
import { entryCases } from './cases/entry-cases.js';
import { filterCases } from './cases/filter-cases.js';
import { ldap3Cases } from './cases/ldap3-cases.js';
import { liveCases } from './cases/live-cases.js';
import { networkCases } from './cases/network-cases.js';
import { operationCases } from './cases/operation-cases.js';
import { rootDseCases } from './cases/root-dse-cases.js';
import { searchCases } from './cases/search-cases.js';
import { subschemaCases } from './cases/subschema-cases.js';
import { E2E_MODES, startDirectory, type E2eDirectory } from './harness.js';

/**
 * Issue 4's end-to-end suite: `pgdir serve` as a child process on PGlite and on PostgreSQL, seeded
 * through the CLI, driven over real TLS by ldapts, OpenLDAP's ldap-utils and python ldap3, one
 * daemon per database mode. Each `*Cases` module covers one part of DESIGN §3–6.
 */
describe.each(E2E_MODES)('pgdir serve end to end ($mode)', ({ mode }) => {
  let directory: E2eDirectory | undefined;
  const dir = (): E2eDirectory => {
    if (directory === undefined) throw new Error('the directory did not start (see beforeAll)');
    return directory;
  };

  beforeAll(async () => {
    directory = await startDirectory({ mode, plainListener: true });
  }, 120_000);

  afterAll(async () => {
    const exit = await directory?.stop();
    // SIGTERM drains and exits cleanly (DESIGN §10).
    if (exit !== undefined) expect(exit).toEqual({ code: 0, signal: null });
  }, 30_000);

  describe('rootDSE', () => rootDseCases(dir, { plainListener: true }));
  describe('cn=Subschema', () => subschemaCases(dir));
  describe('entries', () => entryCases(dir));
  describe('bind', () => bindCases(dir));
  describe('filters', () => filterCases(dir));
  describe('scopes, limits, paging, controls', () => searchCases(dir));
  describe('access (user_search: self)', () => accessCases(dir, 'self'));
  describe('Compare, Password Modify, writes, StartTLS', () => operationCases(dir));
  describe('network protection', () => networkCases(dir));
  describe('python ldap3', () => ldap3Cases(dir));
  describe('live changes from the CLI', () => liveCases(dir));
});
