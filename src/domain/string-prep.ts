/**
 * String preparation for the caseIgnore/caseExact matching rules, after RFC 4518: map (controls,
 * soft hyphens and zero-width characters to nothing, every other space separator to SPACE), NFKC,
 * optional case fold, then insignificant space handling. We collapse inner space runs to one
 * SPACE instead of RFC 4518 §2.6.1's two: for equality and substrings on whole components the
 * outcome is the same and the keys stay readable.
 */
const PLAIN_ASCII = /^[\x21-\x7e]*$/;
// RFC 4518 §2.2: mapped to nothing.
const MAP_TO_NOTHING = /[\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f\u00ad\u034f\u1806\u180b-\u180d\u200b\ufe00-\ufe0f\ufffc]/g;
// RFC 4518 §2.2: tab, line feeds and every Unicode space separator are mapped to SPACE.
const MAP_TO_SPACE = /[\t\n\v\f\r\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/g;
const SPACE_RUNS = / {2,}/g;

function mapAndNormalize(value: string, fold: boolean): string {
  let s = value.replace(MAP_TO_NOTHING, '').replace(MAP_TO_SPACE, ' ').normalize('NFKC');
  // Lower-casing after NFKC can leave a decomposed form; normalise once more (RFC 4518 §2.3-2.4).
  if (fold) s = s.toLowerCase().normalize('NFKC');
  return s.replace(SPACE_RUNS, ' ');
}

/** Prepared form of a whole value: the equality/ordering key of caseIgnore/caseExact rules. */
export function prepareString(value: string, fold: boolean): string {
  if (PLAIN_ASCII.test(value)) return fold ? value.toLowerCase() : value;
  return mapAndNormalize(value, fold).trim();
}

/**
 * Prepared form of one substring component: like prepareString but without trimming, because a
 * space at the edge of an `any` component is significant (`(cn=*a b*)` vs `(cn=*a*)`). The
 * evaluator trims the start of `initial` and the end of `final`, mirroring the trimmed value.
 */
export function prepareSubstring(value: string, fold: boolean): string {
  if (PLAIN_ASCII.test(value)) return fold ? value.toLowerCase() : value;
  return mapAndNormalize(value, fold);
}
