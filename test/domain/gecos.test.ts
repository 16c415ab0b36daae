import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gecosOf } from '../../src/domain/gecos.js';

describe('gecosOf (RFC 2307 §2.2, IA5)', () => {
  it.each([
    ['Alice Liddell', 'Alice Liddell'],
    ['Zoë Müller', 'Zoe Muller'],
    ['Łukasz Żółć', 'Lukasz Zolc'],
    ['Jürgen Straße', 'Jurgen Strasse'],
    ['Søren Kierkegaard', 'Soren Kierkegaard'],
    ['Ærø Œuvre', 'AEro OEuvre'],
    ['李小龍', '???'],
    ['Ann:Admin', 'Ann Admin'],
    ['Tab\tand\nnewline', 'Tab and newline'],
    ['  spaced   out  ', 'spaced out'],
    ['ﬁne ligature', 'fine ligature'],
  ])('%s -> %s', (name, expected) => {
    expect(gecosOf(name)).toBe(expected);
  });

  it('always yields printable ASCII without colons, for any input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (name) => {
        const g = gecosOf(name);
        expect(g).toMatch(/^[\x20-\x39\x3b-\x7e]*$/);
        expect(g).toBe(g.trim());
      }),
    );
  });
});
