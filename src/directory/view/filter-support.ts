import type { Entry, MatchContext } from '../../domain/entry.js';
import type { Filter } from '../../domain/filter.js';
import { attributeKey } from '../../domain/attribute-schema.js';
import { foldValue, normalizeDn } from './dn-support.js';

/**
 * TEMPORARY stand-in for src/domain/filter-match.ts `compileFilter` until it lands; the view
 * imports the evaluator only through this file.
 */
export type EntryMatcher = (entry: Entry) => boolean;

const INTEGER = new Set(['uidnumber', 'gidnumber']);
const DN = new Set(['member', 'uniquemember', 'memberof', 'entrydn']);
const IN_CHAIN = '1.2.840.113556.1.4.1941';

export function compileFilter(filter: Filter, ctx: MatchContext = {}): EntryMatcher {
  switch (filter.type) {
    case 'and': {
      const parts = filter.filters.map((f) => compileFilter(f, ctx));
      return (e) => parts.every((p) => p(e));
    }
    case 'or': {
      const parts = filter.filters.map((f) => compileFilter(f, ctx));
      return (e) => parts.some((p) => p(e));
    }
    case 'not': {
      const inner = compileFilter(filter.filter, ctx);
      return (e) => !inner(e);
    }
    case 'present': {
      const key = attributeKey(filter.attribute);
      return (e) => key === 'objectclass' || (e.attributes.get(key)?.length ?? 0) > 0;
    }
    case 'equality':
    case 'approx':
      return equality(attributeKey(filter.attribute), filter.value, ctx);
    case 'substrings':
      return substrings(filter);
    case 'greaterOrEqual':
    case 'lessOrEqual':
      return ordering(filter.type, attributeKey(filter.attribute), filter.value);
    case 'extensible':
      return extensible(filter, ctx);
  }
}

function dnKey(value: string, ctx: MatchContext): string | undefined {
  try {
    return ctx.resolveDn?.(value) ?? normalizeDn(value);
  } catch {
    return undefined;
  }
}

function equality(key: string, value: string, ctx: MatchContext): EntryMatcher {
  const values = (e: Entry): readonly string[] => e.attributes.get(key) ?? [];
  if (DN.has(key)) {
    const want = dnKey(value, ctx);
    return (e) => want !== undefined && values(e).some((v) => dnKey(v, ctx) === want);
  }
  if (INTEGER.has(key)) {
    if (!/^-?\d+$/.test(value.trim())) return () => false;
    const want = BigInt(value.trim());
    return (e) => values(e).some((v) => BigInt(v) === want);
  }
  const want = foldValue(value);
  return (e) => values(e).some((v) => foldValue(v) === want);
}

function substrings(f: Extract<Filter, { type: 'substrings' }>): EntryMatcher {
  const key = attributeKey(f.attribute);
  const parts = f.any.map(foldValue);
  const initial = f.initial === undefined ? undefined : foldValue(f.initial);
  const final = f.final === undefined ? undefined : foldValue(f.final);
  return (e) =>
    (e.attributes.get(key) ?? []).some((raw) => {
      let v = foldValue(raw);
      if (initial !== undefined && !v.startsWith(initial)) return false;
      if (initial !== undefined) v = v.slice(initial.length);
      for (const p of parts) {
        const at = v.indexOf(p);
        if (at < 0) return false;
        v = v.slice(at + p.length);
      }
      return final === undefined || v.endsWith(final);
    });
}

function ordering(type: 'greaterOrEqual' | 'lessOrEqual', key: string, value: string): EntryMatcher {
  const sign = type === 'greaterOrEqual' ? 1 : -1;
  if (INTEGER.has(key)) {
    if (!/^-?\d+$/.test(value.trim())) return () => false;
    const want = BigInt(value.trim());
    return (e) => (e.attributes.get(key) ?? []).some((v) => sign * Number(BigInt(v) - want) >= 0);
  }
  const want = value.replace(/\.0+Z$/, 'Z');
  return (e) => (e.attributes.get(key) ?? []).some((v) => sign * (v < want ? -1 : v > want ? 1 : 0) >= 0);
}

function extensible(f: Extract<Filter, { type: 'extensible' }>, ctx: MatchContext): EntryMatcher {
  if (f.matchingRule !== IN_CHAIN || f.attribute === undefined) return () => false;
  const key = attributeKey(f.attribute);
  const target = dnKey(f.value, ctx);
  return (e) => target !== undefined && (ctx.inChain?.(e, key, target) ?? false);
}
