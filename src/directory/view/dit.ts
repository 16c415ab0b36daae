import { canonicalDn, escapeDnValue, normalizeDn, parseDn, type Ava } from '../../domain/dn.js';
import { prepareString } from '../../domain/string-prep.js';
import { invalid } from '../../domain/errors.js';

/** Where everything lives in the tree (DESIGN §3), computed once from the configured suffix. */
export interface Dit {
  readonly suffixDn: string;
  readonly suffixNorm: string;
  /** The suffix's own first AVA, e.g. { type: 'dc', value: 'example' }. */
  readonly suffixAva: Ava;
  readonly usersDn: string;
  readonly usersNorm: string;
  readonly groupsDn: string;
  readonly groupsNorm: string;
  readonly systemDn: string;
  readonly systemNorm: string;
  readonly homePrefix: string;
  readonly loginShell: string;
  /** The built-in groups' names in LDAP (`ldap.builtin_groups`; default `users`, `admins`). */
  readonly builtinNames: { readonly users: string; readonly admins: string };
}

export interface DitOptions {
  readonly suffix: string;
  /** homeDirectory is `<homePrefix>/<username>`; default `/home`. */
  readonly homePrefix?: string;
  readonly loginShell?: string;
  readonly builtinNames?: { readonly users: string; readonly admins: string };
}

export function createDit(options: DitOptions): Dit {
  const rdns = parseDn(options.suffix);
  const ava = rdns[0]?.[0];
  if (ava === undefined) throw invalid('ldap.suffix must be a non-empty DN', 'ldap.suffix');
  const suffixDn = canonicalDn(options.suffix);
  const suffixNorm = normalizeDn(options.suffix);
  return {
    suffixDn,
    suffixNorm,
    suffixAva: ava,
    usersDn: `ou=users,${suffixDn}`,
    usersNorm: `ou=users,${suffixNorm}`,
    groupsDn: `ou=groups,${suffixDn}`,
    groupsNorm: `ou=groups,${suffixNorm}`,
    systemDn: `ou=system,${suffixDn}`,
    systemNorm: `ou=system,${suffixNorm}`,
    homePrefix: (options.homePrefix ?? '/home').replace(/\/+$/, ''),
    loginShell: options.loginShell ?? '/bin/bash',
    builtinNames: Object.freeze({ ...(options.builtinNames ?? { users: 'users', admins: 'admins' }) }),
  };
}

/** The user's DN never changes with username or email (DESIGN §3): it is keyed by the id. */
export const userDn = (dit: Dit, id: string): string => `cn=uid-${id},${dit.usersDn}`;
export const userNorm = (dit: Dit, id: string): string => normChild(`uid-${id}`, dit.usersNorm);

/**
 * `cn=<value>,<parent>` normalised exactly as domain/dn.ts normalizeDn would (a single-AVA RDN:
 * prepared, case-folded value, RFC 4514 escaped) without parsing what we just built.
 */
const normChild = (value: string, parentNorm: string): string =>
  `cn=${escapeDnValue(prepareString(value, true))},${parentNorm}`;

export const groupDn = (dit: Dit, name: string): string => `cn=${escapeDnValue(name)},${dit.groupsDn}`;
export const groupNorm = (dit: Dit, name: string): string => normChild(name, dit.groupsNorm);

export const systemDn = (dit: Dit, name: string): string => `cn=${escapeDnValue(name)},${dit.systemDn}`;
export const systemNorm = (dit: Dit, name: string): string => normChild(name, dit.systemNorm);
