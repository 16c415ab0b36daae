import type { User } from '../../domain/model.js';
import { formatGeneralizedTime as generalizedTime } from '../../domain/generalized-time.js';
import { userDn, userNorm, type Dit } from './dit.js';
import { Rank, sortKey, ViewEntry } from './view-entry.js';

const OBJECT_CLASSES = Object.freeze([
  'top',
  'person',
  'organizationalPerson',
  'inetOrgPerson',
  'user',
  'posixAccount',
  'shadowAccount',
]);
/** For the objectClass planner (candidate-plan.ts). */
export const USER_OBJECT_CLASSES: ReadonlySet<string> = new Set(OBJECT_CLASSES);
const PERSON = Object.freeze(['person']);
const STRUCTURAL = Object.freeze(['inetOrgPerson']);
const FALSE = Object.freeze(['FALSE']);
const SUBSCHEMA = Object.freeze(['cn=Subschema']);

/** Values shared by every user entry of one view (saves ~100 bytes per user at 100k users). */
export interface UserEntryShared {
  readonly dit: Dit;
  readonly gidNumber: readonly string[];
  readonly loginShell: readonly string[];
}

export function userEntryShared(dit: Dit, usersGid: number): UserEntryShared {
  return { dit, gidNumber: Object.freeze([String(usersGid)]), loginShell: Object.freeze([dit.loginShell]) };
}

/**
 * The LDAP entry of a listed user (DESIGN §3 table). `memberOf` holds the canonical DNs of every
 * group the user is in, built-in ones included, in group order. Never userPassword or TOTP data.
 */
export function buildUserEntry(shared: UserEntryShared, user: User, memberOf: readonly string[]): ViewEntry {
  const { dit } = shared;
  const username = (user.username ?? '').toLowerCase();
  const dn = userDn(dit, user.id);
  const attrs = new Map<string, readonly string[]>();
  const name = [username];
  attrs.set('objectclass', OBJECT_CLASSES);
  attrs.set('objectcategory', PERSON);
  attrs.set('cn', [`uid-${user.id}`]);
  attrs.set('uid', name);
  attrs.set('username', name);
  attrs.set('samaccountname', name);
  attrs.set('mail', [user.email.toLowerCase()]);
  if (user.fallbackEmail) attrs.set('mailalternateaddress', [user.fallbackEmail.toLowerCase()]);
  setNames(attrs, user.displayName.trim() || username);
  if (memberOf.length > 0) attrs.set('memberof', memberOf);
  attrs.set('uidnumber', [String(user.uidNumber)]);
  attrs.set('gidnumber', shared.gidNumber);
  attrs.set('homedirectory', [`${dit.homePrefix}/${username}`]);
  attrs.set('loginshell', shared.loginShell);
  setOperational(attrs, user, dn);
  return new ViewEntry(dn, userNorm(dit, user.id), attrs, 'user', user.id, dit.usersNorm, sortKey(Rank.user, user.uidNumber));
}

/** displayName, and givenName/sn from the first and last word (sn omitted for one word). */
function setNames(attrs: Map<string, readonly string[]>, displayName: string): void {
  attrs.set('displayname', [displayName]);
  const words = displayName.split(/\s+/).filter((w) => w.length > 0);
  const first = words[0];
  if (first !== undefined) attrs.set('givenname', [first]);
  const last = words[words.length - 1];
  if (words.length > 1 && last !== undefined) attrs.set('sn', [last]);
}

function setOperational(attrs: Map<string, readonly string[]>, user: User, dn: string): void {
  attrs.set('entryuuid', [user.id.toLowerCase()]);
  attrs.set('entrydn', [dn]);
  attrs.set('createtimestamp', [generalizedTime(user.createdAt)]);
  attrs.set('modifytimestamp', [generalizedTime(user.updatedAt)]);
  if (user.passwordChangedAt) attrs.set('pwdchangedtime', [generalizedTime(user.passwordChangedAt)]);
  attrs.set('structuralobjectclass', STRUCTURAL);
  attrs.set('hassubordinates', FALSE);
  attrs.set('subschemasubentry', SUBSCHEMA);
}
