import type { ServiceAccount } from '../../domain/model.js';
import { nameUuid } from './name-uuid.js';
import { formatGeneralizedTime as generalizedTime } from '../../domain/generalized-time.js';
import { systemDn, systemNorm, type Dit } from './dit.js';
import { Rank, sortKey, ViewEntry } from './view-entry.js';

const TRUE = Object.freeze(['TRUE']);
const FALSE = Object.freeze(['FALSE']);
const SUBSCHEMA = Object.freeze(['cn=Subschema']);

function operational(attrs: Map<string, readonly string[]>, dn: string, uuid: string, hasChildren: boolean): void {
  attrs.set('entryuuid', [uuid]);
  attrs.set('entrydn', [dn]);
  attrs.set('hassubordinates', hasChildren ? TRUE : FALSE);
  attrs.set('subschemasubentry', SUBSCHEMA);
}

/**
 * The suffix entry (DESIGN §3): top, dcObject, organization with dc and o for a `dc=` suffix (as
 * slapd's usual base entry); a suffix of another kind gets organization plus its own RDN
 * attribute. Containers carry no timestamps: they have no row whose times would mean anything.
 */
export function buildSuffixEntry(dit: Dit): ViewEntry {
  const { type, value } = dit.suffixAva;
  const attrs = new Map<string, readonly string[]>();
  const isDc = type === 'dc';
  attrs.set('objectclass', isDc ? ['top', 'dcObject', 'organization'] : ['top', 'organization']);
  if (isDc) attrs.set('dc', [value]);
  attrs.set('o', [value]);
  if (!isDc && type !== 'o') attrs.set(type, [value]);
  operational(attrs, dit.suffixDn, nameUuid(`suffix:${dit.suffixNorm}`), true);
  attrs.set('structuralobjectclass', ['organization']);
  return new ViewEntry(dit.suffixDn, dit.suffixNorm, attrs, 'container', '', null, sortKey(Rank.suffix, 0));
}

export type ContainerName = 'users' | 'groups' | 'system';
const CONTAINER_RANK: Readonly<Record<ContainerName, number>> = {
  users: Rank.usersContainer,
  groups: Rank.groupsContainer,
  system: Rank.systemContainer,
};

export function buildContainerEntry(dit: Dit, name: ContainerName): ViewEntry {
  const dn = `ou=${name},${dit.suffixDn}`;
  const norm = `ou=${name},${dit.suffixNorm}`;
  const attrs = new Map<string, readonly string[]>();
  attrs.set('objectclass', ['top', 'organizationalUnit']);
  attrs.set('ou', [name]);
  operational(attrs, dn, nameUuid(`container:${norm}`), true);
  attrs.set('structuralobjectclass', ['organizationalUnit']);
  return new ViewEntry(dn, norm, attrs, 'container', name, dit.suffixNorm, sortKey(CONTAINER_RANK[name], 0));
}

const SERVICE_CLASSES = Object.freeze(['top', 'organizationalRole', 'simpleSecurityObject']);
/** Name of the built-in directory admin under ou=system (DESIGN §3). */
export const ADMIN_ACCOUNT = 'admin';

/**
 * A service account entry (clients.md §5.1): cn and object classes only, never its secret, CIDRs
 * or privileges. `account` undefined builds the built-in `cn=admin`, ordered first.
 */
export function buildSystemEntry(dit: Dit, account: ServiceAccount | undefined): ViewEntry {
  const name = account?.name ?? ADMIN_ACCOUNT;
  const dn = systemDn(dit, name);
  const attrs = new Map<string, readonly string[]>();
  attrs.set('objectclass', SERVICE_CLASSES);
  attrs.set('cn', [name]);
  operational(attrs, dn, account?.id.toLowerCase() ?? nameUuid(`admin:${dit.suffixNorm}`), false);
  if (account) attrs.set('createtimestamp', [generalizedTime(account.createdAt)]);
  attrs.set('structuralobjectclass', ['organizationalRole']);
  const order = account ? account.createdAt.getTime() + 1 : 0;
  return new ViewEntry(dn, systemNorm(dit, name), attrs, 'system', account?.id ?? ADMIN_ACCOUNT, dit.systemNorm, sortKey(Rank.system, order));
}
