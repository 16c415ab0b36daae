import { expect, it } from 'vitest';
import { GROUPS_DN, SUFFIX, USERS_DN } from '../harness.js';
import type { LdifEntry } from '../ldap-tools.js';
import { ldapsearch, type DirRef } from './context.js';

/** One RFC 4512 §4.1 definition, reduced to what the coverage checks need. */
interface Definition {
  readonly oid: string;
  readonly names: string[];
  readonly fields: Record<string, string>;
}

function parseDefinition(text: string): Definition {
  const oid = /^\(\s*([\d.]+)/.exec(text)?.[1] ?? '';
  const nameMatch = /\bNAME\s+(\([^)]*\)|'[^']*')/.exec(text);
  const names = nameMatch === null ? [] : [...(nameMatch[1] ?? '').matchAll(/'([^']*)'/g)].map((m) => m[1] ?? '');
  const fields: Record<string, string> = {};
  for (const key of ['SUP', 'EQUALITY', 'ORDERING', 'SUBSTR', 'SYNTAX']) {
    const m = new RegExp(`\\b${key}\\s+([\\w.{}-]+)`).exec(text);
    if (m?.[1] !== undefined) fields[key] = m[1];
  }
  return { oid, names, fields };
}

const lower = (names: Iterable<string>): Set<string> => new Set([...names].map((n) => n.toLowerCase()));

/**
 * DESIGN §3: `cn=Subschema` (anonymous) lists every attribute type and object class pgdir emits,
 * with syntaxes and matching rules, so that schema-checking clients accept every entry.
 */
export function subschemaCases(dir: DirRef): void {
  let schema: { attributes: Definition[]; classes: Definition[]; rules: Definition[]; syntaxes: Definition[] } | undefined;
  const load = async () => {
    if (schema !== undefined) return schema;
    const r = await ldapsearch(dir(), { base: 'cn=Subschema', extra: ['-s', 'base'], filter: '(objectClass=subschema)', bind: null, attrs: ['*', '+'] });
    expect(r.code, r.stderr).toBe(0);
    expect(r.entries).toHaveLength(1);
    const a = r.entries[0]?.attrs ?? {};
    schema = {
      attributes: (a['attributeTypes'] ?? []).map(parseDefinition),
      classes: (a['objectClasses'] ?? []).map(parseDefinition),
      rules: (a['matchingRules'] ?? []).map(parseDefinition),
      syntaxes: (a['ldapSyntaxes'] ?? []).map(parseDefinition),
    };
    return schema;
  };

  it('cn=Subschema is readable anonymously and names itself a subschema', async () => {
    const r = await ldapsearch(dir(), { base: 'cn=Subschema', extra: ['-s', 'base'], filter: '(objectClass=subschema)', bind: null, attrs: ['objectClass', 'cn'] });
    expect(r.code, r.stderr).toBe(0);
    expect(r.entries[0]?.dn.toLowerCase()).toBe('cn=subschema');
    expect(lower(r.entries[0]?.attrs['objectClass'] ?? [])).toContain('subschema');
    const s = await load();
    for (const kind of ['attributes', 'classes', 'rules', 'syntaxes'] as const) expect(s[kind].length, kind).toBeGreaterThan(0);
  });

  it('defines every attribute and object class on the suffix, containers, users, groups and the rootDSE', async () => {
    const s = await load();
    const attrNames = lower(s.attributes.flatMap((d) => d.names));
    const classNames = lower(s.classes.flatMap((d) => d.names));
    const emitted: LdifEntry[] = [];
    for (const base of [SUFFIX, USERS_DN, GROUPS_DN]) {
      const r = await ldapsearch(dir(), { base, attrs: ['*', '+'] });
      expect(r.code, r.stderr).toBe(0);
      emitted.push(...r.entries);
    }
    const root = await ldapsearch(dir(), { base: '', extra: ['-s', 'base'], bind: null, attrs: ['*', '+'] });
    emitted.push(...root.entries);
    expect(emitted.some((e) => e.dn.startsWith('cn=uid-'))).toBe(true);
    const missingAttrs = new Set<string>();
    const missingClasses = new Set<string>();
    for (const entry of emitted) {
      for (const name of Object.keys(entry.attrs)) if (!attrNames.has(name.toLowerCase())) missingAttrs.add(name);
      for (const oc of entry.attrs['objectClass'] ?? []) if (!classNames.has(oc.toLowerCase())) missingClasses.add(oc);
    }
    expect([...missingAttrs], 'attributes emitted but not in cn=Subschema').toEqual([]);
    expect([...missingClasses], 'object classes emitted but not in cn=Subschema').toEqual([]);
  });

  it('gives every attribute type a syntax (or a SUP) and defines the matching rules and syntaxes it uses', async () => {
    const s = await load();
    const ruleNames = lower(s.rules.flatMap((d) => [...d.names, d.oid]));
    const syntaxOids = new Set(s.syntaxes.map((d) => d.oid));
    const problems: string[] = [];
    for (const def of s.attributes) {
      const name = def.names[0] ?? def.oid;
      const syntax = def.fields['SYNTAX']?.replace(/\{\d+\}$/, '');
      if (syntax === undefined && def.fields['SUP'] === undefined) problems.push(`${name}: no SYNTAX and no SUP`);
      if (syntax !== undefined && !syntaxOids.has(syntax)) problems.push(`${name}: syntax ${syntax} not in ldapSyntaxes`);
      for (const key of ['EQUALITY', 'ORDERING', 'SUBSTR']) {
        const rule = def.fields[key];
        if (rule !== undefined && !ruleNames.has(rule.toLowerCase())) problems.push(`${name}: ${key} ${rule} not in matchingRules`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('defines ordering rules for the integer and time attributes that filters order on', async () => {
    const s = await load();
    const byName = new Map(s.attributes.flatMap((d) => d.names.map((n) => [n.toLowerCase(), d] as const)));
    for (const name of ['uidnumber', 'gidnumber', 'createtimestamp', 'modifytimestamp']) {
      expect(byName.get(name)?.fields['ORDERING'], name).toBeDefined();
    }
    expect(byName.get('member')?.fields['EQUALITY']).toBe('distinguishedNameMatch');
    expect(byName.get('memberof')?.fields['EQUALITY']).toBe('distinguishedNameMatch');
    expect(byName.get('entryuuid')?.fields['EQUALITY']).toBe('UUIDMatch');
  });
}
