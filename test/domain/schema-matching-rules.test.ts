import { describe, expect, it } from 'vitest';
import { equalityKey } from '../../src/domain/filter-match.js';
import { formatGeneralizedTime, parseGeneralizedTime } from '../../src/domain/generalized-time.js';
import { integerKey, lookupMatchingRule, oidKey, uuidKey } from '../../src/domain/matching-rules.js';
import { prepareString, prepareSubstring } from '../../src/domain/string-prep.js';

const key = (rule: string, value: string): unknown => lookupMatchingRule(rule)?.key(value);

describe('GeneralizedTime (RFC 4517 §3.3.13)', () => {
  const base = Date.UTC(2024, 0, 2, 3, 4, 5);
  it.each<[string, number | undefined]>([
    ['20240102030405Z', base],
    ['20240102030405.0Z', base],
    ['20240102030405,5Z', base + 500],
    ['20240102030405.123456Z', base + 123.456],
    ['202401020304Z', base - 5_000],
    ['2024010203Z', base - 245_000],
    ['2024010203.5Z', Date.UTC(2024, 0, 2, 3, 30)],
    ['202401020304.5Z', Date.UTC(2024, 0, 2, 3, 4, 30)],
    ['20240102040405+0100', base],
    ['20240102013405-0130', base],
    ['20240102050405+02', base],
    ['20240102030405', base], // no zone: read as UTC (lenient)
    ['20240229000000Z', Date.UTC(2024, 1, 29)],
    ['20230229000000Z', undefined],
    ['20240431000000Z', undefined],
    ['20241301000000Z', undefined],
    ['20240102240000Z', undefined],
    ['20240102036000Z', undefined],
    ['20240102030405+2400', undefined],
    ['2024-01-02T03:04:05Z', undefined],
    ['', undefined],
    ['yesterday', undefined],
  ])('%s', (text, ms) => {
    expect(parseGeneralizedTime(text)).toBe(ms);
  });

  it('keeps literal years below 100 and formats YYYYMMDDHHMMSSZ', () => {
    expect(parseGeneralizedTime('00500101000000Z')).toBe(new Date('0050-01-01T00:00:00Z').getTime());
    expect(parseGeneralizedTime('19991231235960Z')).toBe(Date.UTC(2000, 0, 1)); // leap second
    expect(formatGeneralizedTime(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)))).toBe('20240102030405Z');
    expect(parseGeneralizedTime(formatGeneralizedTime(new Date(base)))).toBe(base);
  });
});

describe('string preparation (RFC 4518)', () => {
  it.each([
    ['Alice', 'alice'],
    ['  Alice   Liddell  ', 'alice liddell'],
    ['Alice\u00a0\tLiddell', 'alice liddell'],
    ['Al\u00adice\u200b', 'alice'],
    ['ÄRGER', 'ärger'],
    ['A\u0308rger', 'ärger'], // decomposed Ä composes under NFKC
    ['\ufb01le', 'file'], // ligature fi
    ['ＡＢＣ', 'abc'], // full-width
  ])('caseIgnore %j → %j', (value, prepared) => {
    expect(prepareString(value, true)).toBe(prepared);
  });

  it('caseExact keeps case but folds spaces', () => {
    expect(prepareString('  Alice   Liddell ', false)).toBe('Alice Liddell');
  });

  it('substring components keep edge spaces but collapse runs', () => {
    expect(prepareSubstring(' a  b ', true)).toBe(' a b ');
  });
});

describe('matching rule keys', () => {
  it('integerMatch', () => {
    expect(integerKey('0010')).toBe(10);
    expect(integerKey(' 42 ')).toBe(42);
    expect(integerKey('-0')).toBe(0);
    expect(integerKey('-17')).toBe(-17);
    expect(integerKey('123456789012345678901234567890')).toBe(123456789012345678901234567890n);
    for (const bad of ['', '1.5', '+1', '1e3', 'x', '0x10', '- 1']) expect(integerKey(bad), bad).toBeUndefined();
  });

  it('UUIDMatch', () => {
    expect(uuidKey('0B6F3C1E-7D2A-4C55-9A0E-3F1D2C4B5A69')).toBe('0b6f3c1e-7d2a-4c55-9a0e-3f1d2c4b5a69');
    expect(uuidKey('0b6f3c1e7d2a4c559a0e3f1d2c4b5a69')).toBe('0b6f3c1e-7d2a-4c55-9a0e-3f1d2c4b5a69');
    expect(uuidKey('0b6f3c1e-7d2a-4c55-9a0e-3f1d2c4b5a6')).toBeUndefined();
    expect(uuidKey('{0b6f3c1e-7d2a-4c55-9a0e-3f1d2c4b5a69}')).toBeUndefined();
  });

  it('objectIdentifierMatch resolves descriptors to OIDs', () => {
    expect(oidKey('inetOrgPerson')).toBe('2.16.840.1.113730.3.2.2');
    expect(oidKey('INETORGPERSON')).toBe(oidKey('2.16.840.1.113730.3.2.2'));
    expect(oidKey('uidNumber')).toBe('1.3.6.1.1.1.1.0');
    expect(oidKey('SomethingElse')).toBe('somethingelse');
    expect(oidKey('  ')).toBeUndefined();
  });

  it('booleanMatch, telephoneNumberMatch, uniqueMemberMatch, first-component matches', () => {
    expect(key('booleanMatch', 'true')).toBe('TRUE');
    expect(key('booleanMatch', 'yes')).toBeUndefined();
    expect(key('telephoneNumberMatch', '+49 30-1234 5')).toBe(key('telephoneNumberMatch', '+4930 12345'));
    expect(key('uniqueMemberMatch', "CN=A, DC=X#'0101'B")).toBe("cn=a,dc=x#'0101'B");
    expect(key('uniqueMemberMatch', 'CN=A, DC=X')).toBe('cn=a,dc=x');
    expect(key('objectIdentifierFirstComponentMatch', "( 2.5.4.3 NAME ( 'cn' 'commonName' ) )")).toBe('2.5.4.3');
    expect(key('objectIdentifierFirstComponentMatch', 'commonName')).toBe('2.5.4.3');
    expect(key('integerFirstComponentMatch', '( 7 NAME x )')).toBe(7);
    expect(key('distinguishedNameMatch', 'not a dn')).toBeUndefined();
  });

  it('looks rules up by name or OID in any case', () => {
    expect(lookupMatchingRule('2.5.13.2')?.name).toBe('caseIgnoreMatch');
    expect(lookupMatchingRule('CASEEXACTIA5MATCH')?.oid).toBe('1.3.6.1.4.1.1466.109.114.1');
    expect(lookupMatchingRule('1.2.840.113556.1.4.803')).toBeUndefined();
  });
});

describe('equalityKey (for indexes)', () => {
  it('gives the evaluator’s key for each syntax', () => {
    expect(equalityKey('UID', ' Alice ')).toBe('alice');
    expect(equalityKey('memberOf', 'CN=Admins, DC=X')).toBe('cn=admins,dc=x');
    expect(equalityKey('member', 'uid=alice,dc=x', { resolveDn: () => 'cn=uid-1,dc=x' })).toBe('cn=uid-1,dc=x');
    expect(equalityKey('uidNumber', '010')).toBe(10);
    expect(equalityKey('objectClass', 'Person')).toBe('2.5.6.6');
    expect(equalityKey('entryUUID', 'nope')).toBeUndefined();
    expect(equalityKey('jpegPhoto', 'x')).toBeUndefined();
    expect(equalityKey('unknownAttr', 'X')).toBe('x');
  });
});
