import type { Client, Entry } from 'ldapts';
import type { E2eDirectory } from '../harness.js';
import { parseLdif, type LdifEntry } from '../ldap-tools.js';

/** Case modules register `it`s inside a suite; the directory exists only once beforeAll ran. */
export type DirRef = () => E2eDirectory;

/** Every value of an attribute of an ldapts entry, as strings (ldapts gives a string for one value). */
export function values(entry: Entry | undefined, name: string): string[] {
  const raw = entry?.[name];
  if (raw === undefined) return [];
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v)));
}

/** Attribute names of an ldapts entry, without its `dn`. */
export function attributeNames(entry: Entry): string[] {
  return Object.keys(entry).filter((k) => k !== 'dn');
}

export async function withClient<T>(dir: E2eDirectory, bind: { dn: string; password: string } | undefined, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = bind === undefined ? dir.client() : await dir.bound(bind.dn, bind.password);
  try {
    return await fn(client);
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/** The LDAP result code an ldapts call failed with, or 0 when it succeeded. */
export async function resultCode(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 0;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'number') return code;
    throw err;
  }
}

export interface SearchOutcome {
  readonly code: number;
  readonly entries: LdifEntry[];
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * `ldapsearch -LLL` bound as `bind` (admin by default; null = anonymous), subtree under `base`.
 * `extra` goes before the filter (e.g. ['-s', 'one'] or ['-z', '2']).
 */
export async function ldapsearch(
  dir: E2eDirectory,
  o: { base: string; filter?: string; attrs?: string[]; extra?: string[]; bind?: { dn: string; password: string } | null; lll?: boolean },
): Promise<SearchOutcome> {
  const bind = o.bind === undefined ? { dn: dir.adminDn, password: dir.adminPassword } : o.bind;
  const args = [
    ...(o.lll === false ? [] : ['-LLL']),
    '-o', 'ldif-wrap=no',
    ...(bind === null ? [] : ['-D', bind.dn, '-w', bind.password]),
    '-b', o.base,
    ...(o.extra ?? []),
    o.filter ?? '(objectClass=*)',
    ...(o.attrs ?? []),
  ];
  const r = await dir.ldap('ldapsearch', args);
  return { code: r.code, entries: parseLdif(r.stdout), stdout: r.stdout, stderr: r.stderr };
}

/** Names an entry for set comparisons: users by uid, groups as `g:<cn>`, anything else by DN. */
export function label(entry: LdifEntry): string {
  if (entry.dn.endsWith(',ou=users,dc=example,dc=com') && entry.attrs['uid'] !== undefined) return entry.attrs['uid'][0] ?? entry.dn;
  const group = /^cn=([^,]+),ou=groups,dc=example,dc=com$/.exec(entry.dn);
  return group === null ? entry.dn : `g:${group[1]}`;
}

export const sorted = (list: Iterable<string>): string[] => [...list].sort();
