/** Plausible request bodies from the OpenAPI document's JSON schemas (for fuzzing and role sweeps). */

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  format?: string;
  additionalProperties?: JsonSchema | boolean;
}

export function pick(schema: JsonSchema): JsonSchema {
  const options = schema.anyOf ?? schema.oneOf;
  if (options === undefined) return schema;
  return options.find((o) => o.type !== 'null') ?? options[0] ?? {};
}

/** String leaves of a body schema, as paths; an array contributes its first item. */
export function stringPaths(schema: JsonSchema, prefix: string[] = []): string[][] {
  const s = pick(schema);
  if (s.type === 'string') return [prefix];
  if (s.type === 'array' && s.items !== undefined) return stringPaths(s.items, [...prefix, '0']);
  if (s.type === 'object' || s.properties !== undefined) {
    const own = Object.entries(s.properties ?? {}).flatMap(([k, v]) => stringPaths(v, [...prefix, k]));
    // A record: fuzz a key and its value.
    return typeof s.additionalProperties === 'object' ? [...own, [...prefix, '\u0000key']] : own;
  }
  return [];
}

/** A plausible body where the string at `target` (a path) is `text`; other strings are ordinary. */
export function bodyOf(schema: JsonSchema, target: string[] | 'all', text: string, prefix: string[] = []): unknown {
  const s = pick(schema);
  const here = target === 'all' || (target.length === prefix.length && target.every((p, i) => p === prefix[i]));
  if (s.enum !== undefined) return here && s.type === 'string' ? text : s.enum[0];
  if (s.type === 'string') return here ? text : s.format === 'email' || prefix.at(-1)?.toLowerCase().includes('email') ? 'fuzz@example.com' : 'plain-value';
  if (s.type === 'boolean') return false;
  if (s.type === 'integer' || s.type === 'number') return 1;
  if (s.type === 'array') return s.items === undefined ? [] : [bodyOf(s.items, target, text, [...prefix, '0'])];
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s.properties ?? {})) {
    // Optional booleans stay out: `false` would switch off LDAP or sign-in settings mid-test.
    if (pick(v).type === 'boolean' && !(s.required ?? []).includes(k)) continue;
    out[k] = bodyOf(v, target, text, [...prefix, k]);
  }
  if (typeof s.additionalProperties === 'object' && (target === 'all' || target.at(-1) === '\u0000key')) out[text] = 'plain-value';
  return out;
}

