import { gecosOf } from '../../domain/gecos.js';
import { formatGeneralizedTime } from '../../domain/generalized-time.js';
import type { User } from '../../domain/model.js';
import { ComputedAttributes } from './computed-attributes.js';
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
/** Shared by every entry until its memberOf is first read (an array literal would be one per user). */
const NO_VALUES: readonly string[] = Object.freeze([]);

/** Values shared by every user entry of one view. */
export interface UserEntryShared {
  readonly dit: Dit;
  readonly gidNumber: readonly string[];
  readonly loginShell: readonly string[];
  /** The team-derived part of memberOf (team-state.ts), read when memberOf is. */
  readonly derived: DerivedMemberOf;
}

/**
 * Where a user's derived-group DNs come from (issue 13). `generation` moves whenever a change may
 * alter them for users whose entries are not rebuilt (a grant to everyone or to the organisation):
 * memberOf is then computed again on its next read, and cached encodings are dropped
 * (encoded-cache.ts), instead of rebuilding and re-indexing 100,000 entries.
 */
export interface DerivedMemberOf {
  readonly generation: number;
  /** `prefix` (built-in and stored groups) plus the user's derived DNs; shared when `shareable`. */
  memberOf(prefix: readonly string[], userId: string, shareable: boolean): readonly string[];
}

/** A user's memberOf as built: stored and built-in group DNs; the derived ones are added on read. */
export interface MemberOfPrefix {
  readonly prefix: readonly string[];
  /** The prefix is one of the view's shared arrays: the joined list can be shared too. */
  readonly shareable: boolean;
}

export function userEntryShared(dit: Dit, usersGid: number, derived: DerivedMemberOf): UserEntryShared {
  return { dit, gidNumber: Object.freeze([String(usersGid)]), loginShell: Object.freeze([dit.loginShell]), derived };
}

/** DESIGN §3's user table, in output order (operational attributes last). */
const ORDER = Object.freeze([
  'objectclass', 'objectcategory', 'cn', 'uid', 'username', 'samaccountname', 'mail', 'mailalternateaddress',
  'displayname', 'givenname', 'sn', 'memberof', 'uidnumber', 'gidnumber', 'homedirectory', 'loginshell', 'gecos',
  'entryuuid', 'entrydn', 'createtimestamp', 'modifytimestamp', 'pwdchangedtime', 'structuralobjectclass',
  'hassubordinates', 'subschemasubentry',
]);

/**
 * A listed user's attributes, computed from the (immutable) record: never userPassword or TOTP
 * data. displayName is the full name or the username; givenName and sn are its first and last
 * word, sn omitted for one word; gecos is displayName folded to ASCII (RFC 2307 §2.2). `memberOf`
 * holds the canonical DNs of every group the user is in, built-in ones included, in group order.
 */
class UserAttributes extends ComputedAttributes {
  protected readonly order = ORDER;
  /** The uid value (toLowerCase returns the same string when unchanged: no copy as a rule). */
  readonly uid: string;
  /** memberOf as last computed, and the derived generation it was computed at (-1: never). */
  private memberOfHeld: readonly string[] = NO_VALUES;
  private memberOfAt = -1;

  constructor(
    private readonly shared: UserEntryShared,
    private readonly user: User,
    private readonly groups: MemberOfPrefix,
    private readonly dn: string,
  ) {
    super();
    this.uid = (user.username ?? '').toLowerCase();
  }

  override get generation(): number {
    return this.shared.derived.generation;
  }

  /** Computed once per derived generation: the evaluator caches match keys by array identity. */
  private memberOf(): readonly string[] {
    const derived = this.shared.derived;
    if (this.memberOfAt !== derived.generation) {
      this.memberOfHeld = derived.memberOf(this.groups.prefix, this.user.id, this.groups.shareable);
      this.memberOfAt = derived.generation;
    }
    return this.memberOfHeld;
  }

  get(key: string): readonly string[] | undefined {
    const u = this.user;
    switch (key) {
      case 'objectclass': return OBJECT_CLASSES;
      case 'objectcategory': return PERSON;
      case 'cn': return [`uid-${u.id}`];
      case 'uid': case 'username': case 'samaccountname': return [this.username()];
      case 'mail': return [u.email.toLowerCase()];
      case 'mailalternateaddress': return u.fallbackEmail ? [u.fallbackEmail.toLowerCase()] : undefined;
      case 'displayname': return [this.displayName()];
      case 'givenname': return this.word(0);
      case 'sn': return this.word(-1);
      case 'memberof': { const m = this.memberOf(); return m.length > 0 ? m : undefined; }
      case 'uidnumber': return [String(u.uidNumber)];
      case 'gidnumber': return this.shared.gidNumber;
      case 'homedirectory': return [`${this.shared.dit.homePrefix}/${this.username()}`];
      case 'loginshell': return this.shared.loginShell;
      case 'gecos': return [gecosOf(this.displayName()) || this.username()];
      case 'entryuuid': return [u.id];
      case 'entrydn': return [this.dn];
      case 'createtimestamp': return [formatGeneralizedTime(u.createdAt)];
      case 'modifytimestamp': return [formatGeneralizedTime(u.updatedAt)];
      case 'pwdchangedtime': return u.passwordChangedAt ? [formatGeneralizedTime(u.passwordChangedAt)] : undefined;
      case 'structuralobjectclass': return STRUCTURAL;
      case 'hassubordinates': return FALSE;
      case 'subschemasubentry': return SUBSCHEMA;
      default: return undefined;
    }
  }

  private username(): string {
    return this.uid;
  }

  private displayName(): string {
    return this.user.displayName.trim() || this.username();
  }

  /** First (0) or last (-1) word of the display name; the last only when there are two or more. */
  private word(which: 0 | -1): readonly string[] | undefined {
    const words = this.displayName().split(/\s+/);
    if (which === -1 && words.length < 2) return undefined;
    const word = which === 0 ? words[0] : words[words.length - 1];
    return word ? [word] : undefined;
  }
}

/** The LDAP entry of a listed user (DESIGN §3): `cn=uid-<id>,ou=users,<suffix>`. */
export function buildUserEntry(shared: UserEntryShared, user: User, memberOf: MemberOfPrefix): ViewEntry {
  const dn = userDn(shared.dit, user.id);
  const norm = userNorm(shared.dit, user.id);
  const attributes = new UserAttributes(shared, user, memberOf, dn);
  // One string when the suffix is spelt in lower case already: 100 bytes less per user.
  const rank = sortKey(Rank.user, user.uidNumber);
  return new ViewEntry(dn, norm === dn ? dn : norm, attributes, 'user', user.id, shared.dit.usersNorm, rank, user);
}

/** A user entry's uid without building its value array (group member lists, 100,000 at a time). */
export function userUid(entry: ViewEntry): string | undefined {
  return entry.attributes instanceof UserAttributes ? entry.attributes.uid : entry.first('uid');
}
