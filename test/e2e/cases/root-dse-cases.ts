import { expect, it } from 'vitest';
import { SUFFIX } from '../harness.js';
import { pagedCookies } from '../ldap-tools.js';
import { attributeNames, ldapsearch, values, withClient, type DirRef } from './context.js';

const PAGED = '1.2.840.113556.1.4.319';
const WHOAMI = '1.3.6.1.4.1.4203.1.11.3';
const PASSWD = '1.3.6.1.4.1.4203.1.11.1';
const STARTTLS = '1.3.6.1.4.1.1466.20037';
const MANAGE_DSA_IT = '2.16.840.1.113730.3.4.2';
const SORT = '1.2.840.113556.1.4.473';

/** DESIGN §3 rootDSE: readable anonymously, only working features, never an attribute without values. */
export function rootDseCases(dir: DirRef, o: { plainListener: boolean }): void {
  it('rootDSE answers an anonymous base search with the advertised features (ldapsearch)', async () => {
    const r = await ldapsearch(dir(), { base: '', extra: ['-s', 'base'], bind: null, attrs: ['*', '+'] });
    expect(r.code, r.stderr).toBe(0);
    expect(r.entries).toHaveLength(1);
    const a = r.entries[0]?.attrs ?? {};
    expect(r.entries[0]?.dn).toBe('');
    expect(a['namingContexts']).toEqual([SUFFIX]);
    expect(a['defaultNamingContext']).toEqual([SUFFIX]);
    expect(a['supportedLDAPVersion']).toEqual(['3']);
    // Only what really works: paged results and ManageDsaIT (server-side sort once implemented).
    expect(a['supportedControl']).toContain(PAGED);
    for (const oid of a['supportedControl'] ?? []) expect([PAGED, MANAGE_DSA_IT, SORT], oid).toContain(oid);
    expect([...(a['supportedExtension'] ?? [])].sort()).toEqual([WHOAMI, PASSWD, ...(o.plainListener ? [STARTTLS] : [])].sort());
    expect(a['subschemaSubentry']).toEqual(['cn=Subschema']);
    expect(a['vendorName']?.length).toBe(1);
    expect(a['vendorVersion']?.length).toBe(1);
    // No SASL mechanism exists, so the attribute must be absent rather than empty.
    expect(a['supportedSASLMechanisms']).toBeUndefined();
  });

  it('rootDSE with no attribute list still carries the naming context (ldapts, anonymous)', async () => {
    const entries = await withClient(dir(), undefined, async (c) => (await c.search('', { scope: 'base' })).searchEntries);
    expect(entries).toHaveLength(1);
    const root = entries[0];
    expect(values(root, 'namingContexts')).toEqual([SUFFIX]);
    expect(values(root, 'supportedLDAPVersion')).toEqual(['3']);
    // ldapts keeps an attribute sent with zero values as an empty array: there must be none.
    for (const name of attributeNames(root!)) expect(values(root, name), name).not.toEqual([]);
  });

  it('rootDSE still answers with a paged-results control attached, and returns the control', async () => {
    const r = await ldapsearch(dir(), { base: '', extra: ['-s', 'base', '-E', 'pr=5/noprompt'], bind: null, lll: false, attrs: ['+'] });
    expect(r.code, r.stderr).toBe(0);
    expect(r.entries.filter((e) => e.dn === '')).toHaveLength(1);
    expect(r.entries[0]?.attrs['namingContexts']).toEqual([SUFFIX]);
    expect(pagedCookies(r.stdout)).toEqual(['']);
    const viaLdapts = await withClient(dir(), undefined, async (c) => (await c.search('', { scope: 'base', paged: { pageSize: 2 } })).searchEntries);
    expect(values(viaLdapts[0], 'namingContexts')).toEqual([SUFFIX]);
  });

  it('rootDSE with a named attribute returns just that attribute', async () => {
    const r = await ldapsearch(dir(), { base: '', extra: ['-s', 'base'], bind: null, attrs: ['namingContexts'] });
    expect(r.code).toBe(0);
    expect(Object.keys(r.entries[0]?.attrs ?? {})).toEqual(['namingContexts']);
  });
}
