import fc from 'fast-check';
import type { Filter } from '../../src/domain/filter.js';

/** Random valid filter ASTs (fast-check), shared by the parser round-trip and evaluator fuzz tests. */
export function filterArbitrary(): fc.Arbitrary<Filter> {
  const attribute = fc.constantFrom(
    'cn', 'uid', 'memberOf', 'cn;lang-en', '2.5.4.3', 'x-Custom-1', 'uidNumber', 'modifyTimestamp', 'entryUUID',
    'objectClass', 'member', 'hasSubordinates', 'jpegPhoto', 'nsAccountLock', 'mail', 'entryDN', 'ou',
  );
  const value = fc.string({ unit: 'grapheme', maxLength: 12 });
  const part = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 });
  const leaf: fc.Arbitrary<Filter> = fc.oneof(
    fc.record({ type: fc.constantFrom('equality', 'approx', 'greaterOrEqual', 'lessOrEqual'), attribute, value }) as fc.Arbitrary<Filter>,
    fc.record({ type: fc.constant('present'), attribute }) as fc.Arbitrary<Filter>,
    fc
      .record({ attribute, initial: fc.option(part, { nil: undefined }), any: fc.array(part, { maxLength: 3 }), final: fc.option(part, { nil: undefined }) })
      .filter((s) => s.initial !== undefined || s.final !== undefined || s.any.length > 0)
      .map((s): Filter => ({
        type: 'substrings',
        attribute: s.attribute,
        ...(s.initial === undefined ? {} : { initial: s.initial }),
        any: s.any,
        ...(s.final === undefined ? {} : { final: s.final }),
      })),
    fc
      .record({
        attribute: fc.option(attribute, { nil: undefined }),
        matchingRule: fc.option(fc.constantFrom(
          'caseExactMatch', '1.2.840.113556.1.4.1941', 'integerOrderingMatch', 'caseIgnoreSubstringsMatch',
          '1.2.840.113556.1.4.803', 'distinguishedNameMatch', 'generalizedTimeMatch', 'nope', '2.5.13.2',
        ), { nil: undefined }),
        value,
        dnAttributes: fc.boolean(),
      })
      .filter((e) => e.attribute !== undefined || e.matchingRule !== undefined)
      .map((e): Filter => ({
        type: 'extensible',
        ...(e.matchingRule === undefined ? {} : { matchingRule: e.matchingRule }),
        ...(e.attribute === undefined ? {} : { attribute: e.attribute }),
        value: e.value,
        dnAttributes: e.dnAttributes,
      })),
  );
  const tree = fc.letrec<{ f: Filter }>((tie) => ({
    f: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.record({ type: fc.constantFrom('and', 'or'), filters: fc.array(tie('f'), { maxLength: 3 }) }) as fc.Arbitrary<Filter>,
      fc.record({ type: fc.constant('not'), filter: tie('f') }) as fc.Arbitrary<Filter>,
    ),
  }));
  return tree.f;
}
