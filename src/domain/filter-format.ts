import type { Filter } from './filter.js';

/**
 * Filter AST to its RFC 4515 string, for logs, audit entries and tests; parseFilter reads it back
 * to the same AST. Besides the characters RFC 4515 §3 requires escaping (`*` `(` `)` `\` NUL),
 * control characters are written as `\XX` so a logged filter stays on one line.
 */
export function escapeFilterValue(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.charCodeAt(0);
    if (ch === '*' || ch === '(' || ch === ')' || ch === '\\' || code < 0x20 || code === 0x7f) {
      out += `\\${code.toString(16).padStart(2, '0')}`;
    } else {
      out += ch;
    }
  }
  return out;
}

export function formatFilter(filter: Filter): string {
  switch (filter.type) {
    case 'and':
      return `(&${filter.filters.map(formatFilter).join('')})`;
    case 'or':
      return `(|${filter.filters.map(formatFilter).join('')})`;
    case 'not':
      return `(!${formatFilter(filter.filter)})`;
    case 'equality':
      return `(${filter.attribute}=${escapeFilterValue(filter.value)})`;
    case 'approx':
      return `(${filter.attribute}~=${escapeFilterValue(filter.value)})`;
    case 'greaterOrEqual':
      return `(${filter.attribute}>=${escapeFilterValue(filter.value)})`;
    case 'lessOrEqual':
      return `(${filter.attribute}<=${escapeFilterValue(filter.value)})`;
    case 'present':
      return `(${filter.attribute}=*)`;
    case 'substrings': {
      const middle = filter.any.map((a) => `${escapeFilterValue(a)}*`).join('');
      const initial = escapeFilterValue(filter.initial ?? '');
      return `(${filter.attribute}=${initial}*${middle}${escapeFilterValue(filter.final ?? '')})`;
    }
    case 'extensible': {
      const dn = filter.dnAttributes ? ':dn' : '';
      const rule = filter.matchingRule === undefined ? '' : `:${filter.matchingRule}`;
      return `(${filter.attribute ?? ''}${dn}${rule}:=${escapeFilterValue(filter.value)})`;
    }
  }
}
