import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalDn,
  escapeDnValue,
  formatDn,
  isDescendant,
  isInSubtree,
  normalizeDn,
  normalizeRdns,
  parentDn,
  parseDn,
  tryNormalizeDn,
} from '../../src/domain/dn.js';
import { DirectoryError } from '../../src/domain/errors.js';
import { ResultCode } from '../../src/domain/result-code.js';

describe('parseDn', () => {
  it('parses RDNs most specific first with canonical lower-case types', () => {
    expect(parseDn('CN=Alice,OU=Users,DC=Example,DC=com')).toEqual([
      [{ type: 'cn', value: 'Alice' }],
      [{ type: 'ou', value: 'Users' }],
      [{ type: 'dc', value: 'Example' }],
      [{ type: 'dc', value: 'com' }],
    ]);
  });

  it('parses multi-valued RDNs', () => {
    expect(parseDn('uid=a+cn=B,dc=x')[0]).toEqual([
      { type: 'uid', value: 'a' },
      { type: 'cn', value: 'B' },
    ]);
  });

  it.each([
    ['cn=a\\,b,dc=x', 'a,b'],
    ['cn=a\\2Cb,dc=x', 'a,b'],
    ['cn=a\\2cb,dc=x', 'a,b'],
    ['cn=\\#hash,dc=x', '#hash'],
    ['cn=\\ lead,dc=x', ' lead'],
    ['cn=trail\\ ,dc=x', 'trail '],
    ['cn=caf\\C3\\A9,dc=x', 'café'],
    ['cn=café,dc=x', 'café'],
    ['cn=a\\+b\\;c\\"d\\<e\\>f\\\\g,dc=x', 'a+b;c"d<e>f\\g'],
    ['cn=a=b,dc=x', 'a=b'],
    ['cn=,dc=x', ''],
    ['cn=#04024869,dc=x', 'Hi'],
    ['cn=#0C03C3A961,dc=x', 'éa'],
  ])('decodes the value of %s', (dn, value) => {
    expect(parseDn(dn)[0]?.[0]?.value).toBe(value);
  });

  it('keeps a hexstring that is not a BER string as hex', () => {
    expect(parseDn('cn=#0101FF,dc=x')[0]).toEqual([{ type: 'cn', value: '#0101ff', hex: true }]);
  });

  it('tolerates spaces around separators and drops unescaped trailing spaces', () => {
    expect(canonicalDn('  cn = Alice Smith  ,  ou = users ; dc=x  ')).toBe('cn=Alice Smith,ou=users,dc=x');
    expect(canonicalDn('uid=a + cn=b,dc=x')).toBe('uid=a+cn=b,dc=x');
  });

  it('maps aliases and known OIDs to canonical names, keeps unknown ones', () => {
    expect(canonicalDn('commonName=a,2.5.4.11=b,OID.0.9.2342.19200300.100.1.25=c,userid=d')).toBe('cn=a,ou=b,dc=c,uid=d');
    expect(canonicalDn('1.2.3.4=a,FooBar=b')).toBe('1.2.3.4=a,foobar=b');
  });

  it('parses the empty DN as the root', () => {
    expect(parseDn('')).toEqual([]);
    expect(parseDn('   ')).toEqual([]);
  });

  it.each([
    ['cn'], ['cn=a,'], ['=a'], [',cn=a'], ['cn=a\\'], ['cn=\\4'], ['cn=\\zz'], ['cn=a\\ff'], ['cn=#12G4'],
    ['cn=#123'], ['c n=a'], ['cn=a,,dc=x'], ['cn=a\u0000'], ['-cn=a'], ['1.=a'],
  ])('rejects %j with invalidDNSyntax', (dn) => {
    let error: unknown;
    try {
      parseDn(dn);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DirectoryError);
    expect((error as DirectoryError).resultCode).toBe(ResultCode.invalidDNSyntax);
    expect((error as DirectoryError).kind).toBe('invalid');
    expect((error as DirectoryError).message).toContain('invalid DN');
  });
});

describe('formatDn / escapeDnValue', () => {
  it.each([
    ['a,b', 'a\\,b'],
    ['a+b', 'a\\+b'],
    ['"q"', '\\"q\\"'],
    ['<>;', '\\<\\>\\;'],
    ['back\\slash', 'back\\\\slash'],
    ['#x', '\\#x'],
    ['x#', 'x#'],
    [' x ', '\\ x\\ '],
    [' ', '\\ '],
    ['line\nfeed', 'line\\0afeed'],
    ['a=b', 'a=b'],
    ['café', 'café'],
  ])('escapes %j as %j', (value, escaped) => {
    expect(escapeDnValue(value)).toBe(escaped);
    expect(parseDn(`cn=${escaped}`)[0]?.[0]?.value).toBe(value);
  });

  it('escapes NUL as \\00, and parsing refuses it (34): PostgreSQL text cannot hold NUL, so no entry has one', () => {
    expect(escapeDnValue('a\u0000b')).toBe('a\\00b');
    for (const dn of ['cn=a\\00b', 'cn=\\00', 'cn=x\\c3\\a9\\00', 'cn=a\u0000b']) {
      expect(() => parseDn(dn), dn).toThrow(DirectoryError);
      try {
        parseDn(dn);
      } catch (error) {
        expect((error as DirectoryError).resultCode).toBe(ResultCode.invalidDNSyntax);
      }
    }
    // A BER string holding NUL after `#` stays a hex value instead of decoding to text with NUL.
    expect(parseDn('cn=#0403610062')[0]?.[0]).toEqual({ type: 'cn', value: '#0403610062', hex: true });
  });

  it('writes hex values as hex', () => {
    expect(formatDn([[{ type: 'cn', value: '#0101ff', hex: true }]])).toBe('cn=#0101ff');
  });

  it('round-trips any value through format and parse', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string({ unit: 'grapheme' }).filter((v) => !v.includes('\u0000')), { minLength: 1, maxLength: 3 }), { maxLength: 4 }), (values) => {
        const rdns = values.map((rdn) => rdn.map((value, i) => ({ type: ['cn', 'uid', 'ou'][i] as string, value })));
        expect(parseDn(formatDn(rdns))).toEqual(rdns);
      }),
    );
  });
});

describe('normalizeDn', () => {
  it('folds case, spaces and spelling of the same name to one string', () => {
    const forms = [
      'cn=Admins,ou=groups,dc=example,dc=com',
      'CN=admins, OU=Groups, DC=Example, DC=COM',
      'commonName=ADMINS;ou=groups;dc=example;dc=com',
      '2.5.4.3=admins,ou=groups,dc=example,dc=com',
      'cn=\\41dmins,ou=groups,dc=example,dc=com',
      'cn=#040661646d696e73,ou=groups,dc=example,dc=com',
      'cn =  admins ,ou=groups,dc=example,dc=com',
    ];
    for (const f of forms) expect(normalizeDn(f), f).toBe('cn=admins,ou=groups,dc=example,dc=com');
  });

  it('collapses inner whitespace and orders multi-valued RDNs', () => {
    expect(normalizeDn('cn=Alice   Liddell,dc=x')).toBe('cn=alice liddell,dc=x');
    expect(normalizeDn('uid=B+cn=A,dc=x')).toBe(normalizeDn('cn=a+uid=b,dc=x'));
    expect(normalizeDn('uid=B+cn=A,dc=x')).toBe('cn=a+uid=b,dc=x');
  });

  it('keeps escaped separators distinct from real ones', () => {
    expect(normalizeDn('cn=a\\,dc=x')).not.toBe(normalizeDn('cn=a,dc=x'));
    expect(normalizeDn('cn=A\\2C B,dc=x')).toBe('cn=a\\, b,dc=x');
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme' }), { minLength: 1, maxLength: 4 }), (values) => {
        const dn = formatDn(values.map((value) => [{ type: 'cn', value }]));
        const once = normalizeDn(dn);
        expect(normalizeDn(once)).toBe(once);
      }),
    );
  });

  it('takes its fast path for pgdir-style DNs only when the parser would agree', () => {
    const value = fc.stringMatching(/^[a-zA-Z0-9._@ #-]{1,12}$/);
    const rdn = fc.tuple(fc.constantFrom('cn', 'uid', 'ou', 'dc', 'o', 'CN', 'commonName', 'mail'), value);
    fc.assert(
      fc.property(fc.array(rdn, { minLength: 1, maxLength: 4 }), (rdns) => {
        const dn = rdns.map(([t, v]) => `${t}=${escapeDnValue(v)}`).join(',');
        expect(normalizeDn(dn)).toBe(formatDn(normalizeRdns(parseDn(dn))));
      }),
      { numRuns: 500 },
    );
  });

  it('tryNormalizeDn returns undefined instead of throwing', () => {
    expect(tryNormalizeDn('not a dn')).toBeUndefined();
    expect(tryNormalizeDn('CN=X')).toBe('cn=x');
  });
});

describe('DN hierarchy', () => {
  it('isDescendant is strict and respects escaped commas', () => {
    expect(isDescendant('cn=a,ou=users,dc=x', 'ou=users,dc=x')).toBe(true);
    expect(isDescendant('cn=a,ou=users,dc=x', 'dc=x')).toBe(true);
    expect(isDescendant('ou=users,dc=x', 'ou=users,dc=x')).toBe(false);
    expect(isDescendant('cn=a\\,ou=users,dc=x', 'ou=users,dc=x')).toBe(false);
    expect(isDescendant('cn=a\\\\,ou=users,dc=x', 'ou=users,dc=x')).toBe(true);
    expect(isDescendant('cn=a,xou=users,dc=x', 'ou=users,dc=x')).toBe(false);
    expect(isDescendant('dc=x', '')).toBe(true);
    expect(isDescendant('', '')).toBe(false);
    expect(isDescendant('dc=x', 'cn=a,dc=x')).toBe(false);
  });

  it('isInSubtree includes the base itself', () => {
    expect(isInSubtree('dc=x', 'dc=x')).toBe(true);
    expect(isInSubtree('cn=a,dc=x', 'dc=x')).toBe(true);
    expect(isInSubtree('dc=y', 'dc=x')).toBe(false);
  });

  it('parentDn strips the first RDN', () => {
    expect(parentDn('cn=a,ou=users,dc=x')).toBe('ou=users,dc=x');
    expect(parentDn('cn=a\\,b,dc=x')).toBe('dc=x');
    expect(parentDn('cn=a\\\\,dc=x')).toBe('dc=x');
    expect(parentDn('dc=x')).toBe('');
    expect(parentDn('')).toBeUndefined();
  });
});
