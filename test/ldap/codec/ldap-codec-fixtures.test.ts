import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeMessage, decodePagedResultsValue, decodePasswordModifyRequest, pduLength } from '../../../src/ldap/codec/index.js';
import type { RequestMessage } from '../../../src/ldap/protocol.js';

/* Requests captured from real clients by test/fixtures/ldap/capture.ts (ldap-utils 2.5 and ldapts 9). */

const fixture = (name: string): Buffer[] =>
  readFileSync(new URL(`../../fixtures/ldap/${name}.hex`, import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => Buffer.from(l, 'hex'));

const decodeAll = (name: string): RequestMessage[] =>
  fixture(name).map((pdu) => {
    expect(pduLength(pdu, 0, 1 << 20)).toBe(pdu.length);
    return decodeMessage(pdu);
  });

const b = (s: string): Buffer => Buffer.from(s);
const ADMIN_BIND = { op: 'bind', version: 3, name: 'cn=admin,dc=example,dc=com', auth: { kind: 'simple', password: b('secret') } };
const ALICE = 'uid=alice,ou=users,dc=example,dc=com';

describe('requests captured from OpenLDAP ldap-utils', () => {
  it('ldapsearch: every filter choice, substrings and extensible forms, attribute list', () => {
    const [bind, search, unbind] = decodeAll('ldapsearch-filters');
    expect(bind).toEqual({ messageId: 1, request: ADMIN_BIND, controls: [] });
    expect(unbind).toEqual({ messageId: 3, request: { op: 'unbind' }, controls: [] });
    expect(search?.request).toEqual({
      op: 'search', baseObject: 'dc=example,dc=com', scope: 2, derefAliases: 0, sizeLimit: 0, timeLimit: 0, typesOnly: false,
      attributes: ['cn', 'mail'],
      filter: {
        type: 'and',
        filters: [
          { type: 'equality', attribute: 'objectClass', value: 'person' },
          {
            type: 'or',
            filters: [
              { type: 'equality', attribute: 'uid', value: 'alice' },
              { type: 'substrings', attribute: 'mail', initial: 'a', any: ['li', 'ce@ex'], final: '.com' },
              { type: 'substrings', attribute: 'cn', any: [], final: 'end' },
              { type: 'substrings', attribute: 'sn', initial: 'start', any: [] },
            ],
          },
          { type: 'not', filter: { type: 'equality', attribute: 'cn', value: 'b*ob' } },
          { type: 'greaterOrEqual', attribute: 'uidNumber', value: '1000' },
          { type: 'lessOrEqual', attribute: 'uidNumber', value: '2000' },
          { type: 'approx', attribute: 'cn', value: 'alise' },
          { type: 'present', attribute: 'description' },
          { type: 'extensible', matchingRule: '1.2.840.113556.1.4.1941', attribute: 'memberOf', value: 'cn=admins,ou=groups,dc=example,dc=com', dnAttributes: false },
          { type: 'extensible', matchingRule: '2.5.13.5', attribute: 'cn', value: 'Jo', dnAttributes: true },
          { type: 'extensible', matchingRule: 'caseExactMatch', value: 'Y', dnAttributes: false },
        ],
      },
    });
  });

  it('ldapsearch -E pr=500/noprompt sends a non-critical paged-results control', () => {
    const [, search] = decodeAll('ldapsearch-paged');
    expect(search?.request).toMatchObject({ op: 'search', baseObject: 'ou=users,dc=example,dc=com', scope: 1, attributes: [] });
    expect(search?.controls).toEqual([{ oid: '1.2.840.113556.1.4.319', critical: false, value: Buffer.from('3006020201f40400', 'hex') }]);
    expect(decodePagedResultsValue(search!.controls[0]!.value!)).toEqual({ size: 500, cookie: Buffer.alloc(0) });
  });

  it('ldapsearch -M -e !1.2.3.4: ManageDsaIT and a critical control without value', () => {
    const [, search] = decodeAll('ldapsearch-critical');
    expect(search?.request).toMatchObject({ baseObject: '', scope: 0, filter: { type: 'present', attribute: 'objectClass' }, attributes: ['+'] });
    expect(search?.controls).toEqual([
      { oid: '2.16.840.1.113730.3.4.2', critical: false },
      { oid: '1.2.3.4', critical: true },
    ]);
  });

  it('anonymous ldapsearch -A -z -l -a always with 1.1', () => {
    const [bind, search] = decodeAll('ldapsearch-anon-options');
    expect(bind?.request).toEqual({ op: 'bind', version: 3, name: '', auth: { kind: 'simple', password: Buffer.alloc(0) } });
    expect(search?.request).toEqual({
      op: 'search', baseObject: 'dc=example,dc=com', scope: 2, derefAliases: 3, sizeLimit: 10, timeLimit: 5, typesOnly: true,
      filter: { type: 'present', attribute: 'uid' }, attributes: ['1.1'],
    });
  });

  it('ldapwhoami sends the WhoAmI extended request without value', () => {
    const [, exop] = decodeAll('ldapwhoami');
    expect(exop).toEqual({ messageId: 2, request: { op: 'extended', name: '1.3.6.1.4.1.4203.1.11.3' }, controls: [] });
  });

  it('ldappasswd -a old -s new: Password Modify with all three fields', () => {
    const [, exop] = decodeAll('ldappasswd');
    expect(exop?.request).toMatchObject({ op: 'extended', name: '1.3.6.1.4.1.4203.1.11.1' });
    const value = exop?.request.op === 'extended' ? exop.request.value : undefined;
    expect(decodePasswordModifyRequest(value)).toEqual({ userIdentity: ALICE, oldPassword: b('old'), newPassword: b('new') });
  });

  it('ldappasswd without arguments: Password Modify with no value at all', () => {
    const [, exop] = decodeAll('ldappasswd-generate');
    expect(exop?.request).toEqual({ op: 'extended', name: '1.3.6.1.4.1.4203.1.11.1' });
    expect(decodePasswordModifyRequest(undefined)).toEqual({});
  });

  it('ldapcompare, plain and base64 (binary UTF-8) values', () => {
    expect(decodeAll('ldapcompare')[1]?.request).toEqual({ op: 'compare', entry: ALICE, attribute: 'mail', value: b('alice@example.com') });
    expect(decodeAll('ldapcompare-base64')[1]?.request).toEqual({ op: 'compare', entry: ALICE, attribute: 'sn', value: b('élèn') });
  });

  it('ldapmodify: modify (replace, delete without values, add) and add', () => {
    const [, modify, add, unbind] = decodeAll('ldapmodify');
    expect(modify?.request).toEqual({
      op: 'modify',
      object: ALICE,
      changes: [
        { operation: 2, type: 'mail', values: [b('a@example.com'), b('b@example.com')] },
        { operation: 1, type: 'description', values: [] },
        { operation: 0, type: 'sn', values: [b('Liddell')] },
      ],
    });
    expect(add?.request).toEqual({
      op: 'add',
      entry: 'cn=new,ou=groups,dc=example,dc=com',
      attributes: [
        { type: 'objectClass', values: [b('groupOfNames')] },
        { type: 'cn', values: [b('new')] },
        { type: 'member', values: [b(ALICE)] },
      ],
    });
    expect(unbind?.messageId).toBe(4);
  });

  it('ldapdelete and ldapmodrdn -r -s', () => {
    expect(decodeAll('ldapdelete')[1]?.request).toEqual({ op: 'delete', entry: 'cn=old,ou=groups,dc=example,dc=com' });
    expect(decodeAll('ldapmodrdn')[1]?.request).toEqual({
      op: 'modifyDN', entry: 'uid=bob,ou=users,dc=example,dc=com', newRdn: 'uid=robert', deleteOldRdn: true, newSuperior: 'ou=people,dc=example,dc=com',
    });
  });
});

describe('requests captured from ldapts', () => {
  it('search with substrings, extensible and not; then a paged one-level search', () => {
    const [bind, search, paged, unbind] = decodeAll('ldapts-search');
    expect(bind).toEqual({ messageId: 2, request: ADMIN_BIND, controls: [] });
    expect(search?.request).toEqual({
      op: 'search', baseObject: 'ou=users,dc=example,dc=com', scope: 2, derefAliases: 0, sizeLimit: 100, timeLimit: 10, typesOnly: false,
      attributes: ['uid', 'mail', 'memberOf'],
      filter: {
        type: 'and',
        filters: [
          {
            type: 'or',
            filters: [
              { type: 'substrings', attribute: 'uid', initial: 'al', any: [], final: 'ce' },
              { type: 'substrings', attribute: 'mail', any: [], final: '@example.com' },
            ],
          },
          { type: 'extensible', matchingRule: '2.5.13.5', attribute: 'cn', value: 'Jo', dnAttributes: true },
          { type: 'not', filter: { type: 'equality', attribute: 'memberOf', value: 'cn=admins,ou=groups,dc=example,dc=com' } },
        ],
      },
    });
    expect(paged?.request).toMatchObject({ op: 'search', scope: 1, filter: { type: 'equality', attribute: 'objectClass', value: 'groupOfNames' } });
    expect(paged?.controls).toHaveLength(1);
    expect(paged?.controls[0]).toMatchObject({ oid: '1.2.840.113556.1.4.319' });
    expect(decodePagedResultsValue(paged!.controls[0]!.value!)).toEqual({ size: 50, cookie: Buffer.alloc(0) });
    expect(unbind?.request).toEqual({ op: 'unbind' });
  });

  it('compare and WhoAmI', () => {
    const [, compare, exop] = decodeAll('ldapts-compare-exop');
    expect(compare?.request).toEqual({ op: 'compare', entry: ALICE, attribute: 'mail', value: b('alice@example.com') });
    expect(exop?.request).toEqual({ op: 'extended', name: '1.3.6.1.4.1.4203.1.11.3' });
  });

  it('modify with a binary value, add, delete with a critical control, modifyDN with new superior', () => {
    const [, modify, add, del, moddn] = decodeAll('ldapts-writes');
    expect(modify?.request).toEqual({
      op: 'modify',
      object: ALICE,
      changes: [
        { operation: 2, type: 'mail', values: [b('a@example.com')] },
        { operation: 1, type: 'description', values: [] },
        { operation: 0, type: 'jpegPhoto', values: [Buffer.from([0xff, 0xd8, 0x00])] },
      ],
    });
    expect(add?.request).toMatchObject({ op: 'add', entry: 'cn=new,ou=groups,dc=example,dc=com' });
    const attrs = add?.request.op === 'add' ? add.request.attributes : [];
    expect(attrs.map((a) => [a.type, a.values.map(String)])).toEqual([
      ['objectClass', ['top', 'groupOfNames']],
      ['cn', ['new']],
      ['member', [ALICE]],
    ]);
    expect(del?.request).toEqual({ op: 'delete', entry: 'cn=old,ou=groups,dc=example,dc=com' });
    expect(del?.controls[0]).toMatchObject({ oid: '1.2.840.113556.1.4.319', critical: true });
    expect(moddn?.request).toMatchObject({ op: 'modifyDN', entry: 'uid=bob,ou=users,dc=example,dc=com', newRdn: 'uid=robert', newSuperior: 'ou=people,dc=example,dc=com' });
  });

  it('SASL PLAIN bind', () => {
    const [bind] = decodeAll('ldapts-sasl');
    expect(bind?.request).toEqual({ op: 'bind', version: 3, name: '', auth: { kind: 'sasl', mechanism: 'PLAIN', credentials: b('secret') } });
  });
});

describe('a captured stream framed by pduLength', () => {
  it('splits the concatenated PDUs at the right boundaries, byte by byte', () => {
    const pdus = fixture('ldapmodify');
    const stream = Buffer.concat(pdus);
    const lengths: number[] = [];
    let start = 0;
    for (let have = 1; have <= stream.length; have++) {
      const n = pduLength(stream.subarray(0, have), start, 1 << 20);
      if (n > 0) {
        lengths.push(n);
        start += n;
      }
    }
    expect(lengths).toEqual(pdus.map((p) => p.length));
  });
});
