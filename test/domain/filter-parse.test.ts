import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DirectoryError } from '../../src/domain/errors.js';
import { escapeFilterValue, formatFilter } from '../../src/domain/filter-format.js';
import { parseFilter } from '../../src/domain/filter-parse.js';
import type { Filter } from '../../src/domain/filter.js';
import { filterArbitrary } from './filter-arbitrary.js';

describe('parseFilter', () => {
  it.each<[string, Filter]>([
    ['(uid=alice)', { type: 'equality', attribute: 'uid', value: 'alice' }],
    ['uid=alice', { type: 'equality', attribute: 'uid', value: 'alice' }],
    ['  (uid=alice)  ', { type: 'equality', attribute: 'uid', value: 'alice' }],
    ['(cn~=alice liddell)', { type: 'approx', attribute: 'cn', value: 'alice liddell' }],
    ['(uidNumber>=1000)', { type: 'greaterOrEqual', attribute: 'uidNumber', value: '1000' }],
    ['(uidNumber<=1000)', { type: 'lessOrEqual', attribute: 'uidNumber', value: '1000' }],
    ['(objectClass=*)', { type: 'present', attribute: 'objectClass' }],
    ['objectclass=*', { type: 'present', attribute: 'objectclass' }],
    ['(cn=)', { type: 'equality', attribute: 'cn', value: '' }],
    ['(cn=a*)', { type: 'substrings', attribute: 'cn', initial: 'a', any: [] }],
    ['(cn=*a)', { type: 'substrings', attribute: 'cn', any: [], final: 'a' }],
    ['(cn=*a*)', { type: 'substrings', attribute: 'cn', any: ['a'] }],
    ['(cn=a*b*c*d)', { type: 'substrings', attribute: 'cn', initial: 'a', any: ['b', 'c'], final: 'd' }],
    ['(cn=a**b)', { type: 'substrings', attribute: 'cn', initial: 'a', any: [], final: 'b' }],
    ['(cn=**)', { type: 'present', attribute: 'cn' }],
    ['(cn=\\2a)', { type: 'equality', attribute: 'cn', value: '*' }],
    ['(cn=\\2A\\28\\29\\5c\\00)', { type: 'equality', attribute: 'cn', value: '*()\\\u0000' }],
    ['(cn=\\*\\(\\)\\\\)', { type: 'equality', attribute: 'cn', value: '*()\\' }],
    ['(cn=caf\\c3\\a9)', { type: 'equality', attribute: 'cn', value: 'café' }],
    ['(cn=café)', { type: 'equality', attribute: 'cn', value: 'café' }],
    ['(cn=a\\2a*b)', { type: 'substrings', attribute: 'cn', initial: 'a*', any: [], final: 'b' }],
    ['(member=cn=a\\2cb,dc=x)', { type: 'equality', attribute: 'member', value: 'cn=a,b,dc=x' }],
    ['(cn;lang-en=x)', { type: 'equality', attribute: 'cn;lang-en', value: 'x' }],
    ['(2.5.4.3=x)', { type: 'equality', attribute: '2.5.4.3', value: 'x' }],
    ['(&)', { type: 'and', filters: [] }],
    ['(|)', { type: 'or', filters: [] }],
    ['(!(a=b))', { type: 'not', filter: { type: 'equality', attribute: 'a', value: 'b' } }],
    [
      '(& (cn=x) (| (a=1)(b=2) ) )',
      {
        type: 'and',
        filters: [
          { type: 'equality', attribute: 'cn', value: 'x' },
          {
            type: 'or',
            filters: [
              { type: 'equality', attribute: 'a', value: '1' },
              { type: 'equality', attribute: 'b', value: '2' },
            ],
          },
        ],
      },
    ],
    ['(cn:=x)', { type: 'extensible', attribute: 'cn', value: 'x', dnAttributes: false }],
    ['(cn:dn:=x)', { type: 'extensible', attribute: 'cn', value: 'x', dnAttributes: true }],
    ['(cn:DN:caseExactMatch:=x)', { type: 'extensible', attribute: 'cn', matchingRule: 'caseExactMatch', value: 'x', dnAttributes: true }],
    ['(:1.2.3:=x)', { type: 'extensible', matchingRule: '1.2.3', value: 'x', dnAttributes: false }],
    ['(:dn:2.4.6.8.10:=Dino)', { type: 'extensible', matchingRule: '2.4.6.8.10', value: 'Dino', dnAttributes: true }],
    [
      '(memberof:1.2.840.113556.1.4.1941:=cn=g,dc=x)',
      { type: 'extensible', attribute: 'memberof', matchingRule: '1.2.840.113556.1.4.1941', value: 'cn=g,dc=x', dnAttributes: false },
    ],
    ['(sssmatchingruletest:1.2.840.113556.1.4.1941:=)', {
      type: 'extensible', attribute: 'sssmatchingruletest', matchingRule: '1.2.840.113556.1.4.1941', value: '', dnAttributes: false,
    }],
    ['(userAccountControl:1.2.840.113556.1.4.803:=2)', {
      type: 'extensible', attribute: 'userAccountControl', matchingRule: '1.2.840.113556.1.4.803', value: '2', dnAttributes: false,
    }],
  ])('%s', (text, ast) => {
    expect(parseFilter(text)).toEqual(ast);
  });

  it('parses the SSSD user filter', () => {
    const f = parseFilter('(&(uid=alice)(objectclass=posixAccount)(uid=*)(&(uidNumber=*)(!(uidNumber=0))))');
    expect(f.type === 'and' && f.filters.length).toBe(4);
  });

  it.each([
    ['', 'empty filter'],
    ['()', '"=" expected'],
    ['(uid=alice', '")" expected'],
    ['(uid=alice))', 'unexpected text'],
    ['(uid=a(b)', 'unescaped "("'],
    ['(=x)', 'invalid attribute description'],
    ['(u id=x)', 'invalid attribute description'],
    ['(1abc=x)', 'invalid attribute description'],
    ['(cn=\\zz)', 'invalid escape'],
    ['(cn=\\4)', 'invalid escape'],
    ['(:=x)', 'needs a type or a rule'],
    ['(cn:dn:rule:extra:=x)', 'invalid extensible match'],
    ['(cn::=x)', 'invalid extensible match'],
    ['(cn:r u:=x)', 'invalid matching rule'],
    ['(!(a=b)(c=d))', '")" expected'],
    ['(&(a=b)x)', '")" expected'],
    ['(cn=a\u0000)', 'unescaped NUL'],
  ])('rejects %j (%s)', (text, reason) => {
    let error: unknown;
    try {
      parseFilter(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DirectoryError);
    expect((error as DirectoryError).kind).toBe('invalid');
    expect((error as DirectoryError).field).toBe('filter');
    expect((error as DirectoryError).message).toContain(reason);
  });

  it('enforces depth and length limits', () => {
    const nest = (n: number): string => '(!'.repeat(n - 1) + '(a=b)' + ')'.repeat(n - 1);
    expect(() => parseFilter(nest(64))).not.toThrow();
    expect(() => parseFilter(nest(65))).toThrow(/nested deeper than 64/);
    expect(() => parseFilter(nest(5), { maxDepth: 4 })).toThrow(/nested deeper than 4/);
    expect(() => parseFilter(`(cn=${'x'.repeat(100)})`, { maxLength: 50 })).toThrow(/longer than 50/);
    expect(() => parseFilter(nest(10_000), { maxLength: 1_000_000 })).toThrow(/nested deeper/);
  });
});

describe('formatFilter', () => {
  it('escapes the RFC 4515 specials and control characters', () => {
    expect(escapeFilterValue('a*b(c)d\\e\u0000f\ng')).toBe('a\\2ab\\28c\\29d\\5ce\\00f\\0ag');
    expect(escapeFilterValue('café')).toBe('café');
  });

  it.each([
    '(&(objectClass=person)(|(uid=a)(mail=a)))',
    '(!(nsAccountLock=TRUE))',
    '(cn=a*b*c)',
    '(cn=*x*)',
    '(memberOf:1.2.840.113556.1.4.1941:=cn=g,dc=x)',
    '(:dn:caseIgnoreMatch:=users)',
    '(modifyTimestamp>=20240101000000.0Z)',
    '(&)',
  ])('writes %s back as it was read', (text) => {
    expect(formatFilter(parseFilter(text))).toBe(text);
  });

  it('round-trips every AST through the string form', () => {
    fc.assert(
      fc.property(filterArbitrary(), (f) => {
        expect(parseFilter(formatFilter(f))).toEqual(f);
      }),
      { numRuns: 500 },
    );
  });
});
