import type { Filter } from '../../domain/filter.js';
import { ResultCode } from '../../domain/result-code.js';
import type { BerReader } from '../ber/reader.js';
import { FilterTag, Tag } from '../ber/tags.js';
import { LdapDecodeError } from './decode-error.js';

export interface FilterLimits {
  /** Deepest nesting of filter levels accepted; `(uid=a)` is depth 1, `(&(uid=a))` depth 2. */
  readonly maxDepth: number;
  /** Most filter nodes (every choice counts one) accepted in one filter. */
  readonly maxNodes: number;
}

/** The limits, plus where decodeFilter reports a filter refused by them (one per decodeMessage call). */
export interface FilterContext extends FilterLimits {
  exceeded: LdapDecodeError | undefined;
}

/** Hard cap on maxDepth: the decoder recurses once per level, so the stack stays small whatever is configured. */
export const MAX_FILTER_DEPTH = 256;

interface State {
  readonly maxDepth: number;
  readonly maxNodes: number;
  nodes: number;
}

/** Thrown inside the filter decoder only; decodeFilter turns it into `ctx.exceeded`. */
class OverLimit {
  constructor(readonly message: string) {}
}

/** Stands in for a filter refused by a limit; the request is answered 11 and never evaluated. */
const REFUSED: Filter = { type: 'and', filters: [] };

/**
 * Decodes a Filter (RFC 4511 §4.5.1.7). Recursion is bounded by `maxDepth` (itself capped), and
 * the node count by `maxNodes`, so neither stack nor work can be driven without limit by input.
 *
 * Past a limit the rest of the filter is skipped by its BER length (so the remainder of the PDU is
 * still checked) and `ctx.exceeded` receives an adminLimitExceeded error: the request is well-formed,
 * so the server answers it with 11 instead of dropping the connection (RFC 4511 §4.1.9).
 */
export function decodeFilter(r: BerReader, ctx: FilterContext): Filter {
  const state: State = {
    maxDepth: Math.min(ctx.maxDepth, MAX_FILTER_DEPTH),
    maxNodes: ctx.maxNodes,
    nodes: 0,
  };
  const start = r.pos;
  const depth = r.depth;
  try {
    return filter(r, state, 1);
  } catch (e) {
    if (!(e instanceof OverLimit)) throw e;
    r.skipFrom(start, depth);
    ctx.exceeded = new LdapDecodeError(e.message, undefined, ResultCode.adminLimitExceeded);
    return REFUSED;
  }
}

function filter(r: BerReader, s: State, depth: number): Filter {
  if (depth > s.maxDepth) throw new OverLimit(`filter nested deeper than ${s.maxDepth} levels`);
  if (++s.nodes > s.maxNodes) throw new OverLimit(`filter has more than ${s.maxNodes} nodes`);
  const tag = r.peek();
  switch (tag) {
    case FilterTag.and:
    case FilterTag.or: {
      // RFC 4526 absolute true/false: an empty and/or set is allowed.
      const end = r.enter(tag);
      const filters: Filter[] = [];
      while (r.pos < end) filters.push(filter(r, s, depth + 1));
      r.close(end);
      return tag === FilterTag.and ? { type: 'and', filters } : { type: 'or', filters };
    }
    case FilterTag.not: {
      const end = r.enter(tag);
      const inner = filter(r, s, depth + 1);
      r.close(end);
      return { type: 'not', filter: inner };
    }
    case FilterTag.equality:
      return { type: 'equality', ...assertion(r, tag) };
    case FilterTag.greaterOrEqual:
      return { type: 'greaterOrEqual', ...assertion(r, tag) };
    case FilterTag.lessOrEqual:
      return { type: 'lessOrEqual', ...assertion(r, tag) };
    case FilterTag.approx:
      return { type: 'approx', ...assertion(r, tag) };
    case FilterTag.present:
      return { type: 'present', attribute: r.string(tag) };
    case FilterTag.substrings:
      return substrings(r);
    case FilterTag.extensible:
      return extensible(r);
    default:
      return r.fail(tag < 0 ? 'missing filter' : `unknown filter choice 0x${tag.toString(16)}`);
  }
}

/** AttributeValueAssertion ::= SEQUENCE { attributeDesc, assertionValue } under the choice's tag. */
function assertion(r: BerReader, tag: number): { attribute: string; value: string } {
  const end = r.enter(tag);
  const attribute = r.string(Tag.octetString);
  const value = r.string(Tag.octetString);
  r.close(end);
  return { attribute, value };
}

/** SubstringFilter (§4.5.1.7.2): at least one part; initial only first, final only last, each at most once. */
function substrings(r: BerReader): Filter {
  const end = r.enter(FilterTag.substrings);
  const attribute = r.string(Tag.octetString);
  const partsEnd = r.enter(Tag.sequence);
  let initial: string | undefined;
  let final: string | undefined;
  const any: string[] = [];
  let count = 0;
  while (r.pos < partsEnd) {
    const tag = r.peek();
    if (final !== undefined) r.fail('substring after final');
    if (tag === Tag.ctx0) {
      if (count !== 0) r.fail('initial substring not first');
      initial = r.string(tag);
    } else if (tag === Tag.ctx1) any.push(r.string(tag));
    else if (tag === Tag.ctx2) final = r.string(tag);
    else r.fail(`unknown substring choice 0x${tag.toString(16)}`);
    count++;
  }
  if (count === 0) r.fail('substring filter without substrings');
  r.close(partsEnd);
  r.close(end);
  return {
    type: 'substrings',
    attribute,
    ...(initial !== undefined ? { initial } : {}),
    any,
    ...(final !== undefined ? { final } : {}),
  };
}

/** MatchingRuleAssertion (§4.5.1.7.7): when matchingRule is absent, type must be present. */
function extensible(r: BerReader): Filter {
  const end = r.enter(FilterTag.extensible);
  const matchingRule = r.pos < end && r.peek() === Tag.ctx1 ? r.string(Tag.ctx1) : undefined;
  const attribute = r.pos < end && r.peek() === Tag.ctx2 ? r.string(Tag.ctx2) : undefined;
  const value = r.string(Tag.ctx3);
  const dnAttributes = r.pos < end && r.peek() === Tag.ctx4 ? r.boolean(Tag.ctx4) : false;
  r.close(end);
  if (matchingRule === undefined && attribute === undefined) r.fail('extensible match needs a matching rule or a type');
  return {
    type: 'extensible',
    ...(matchingRule !== undefined ? { matchingRule } : {}),
    ...(attribute !== undefined ? { attribute } : {}),
    value,
    dnAttributes,
  };
}
