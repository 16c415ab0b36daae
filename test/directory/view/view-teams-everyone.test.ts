import { describe, expect, it } from 'vitest';
import type { Level } from '../../../src/domain/levels.js';
import type { Group, User } from '../../../src/domain/model.js';
import type { Grant, Team } from '../../../src/domain/team.js';
import type { Snapshot } from '../../../src/store/store.js';
import { compileSelection } from '../../../src/directory/view/attribute-selection.js';
import { DirectoryState, type RecordBatch } from '../../../src/directory/view/directory-state.js';
import { createDit } from '../../../src/directory/view/dit.js';
import { EncodedCache } from '../../../src/directory/view/encoded-cache.js';

/**
 * A grant everyone has (issue 13) does not rebuild user entries: it moves the derived generation
 * (team-state.ts), memberOf adds the team DNs on read and cached encodings of the older generation
 * are dropped. These tests apply grant-only batches, as the change feed delivers them, and check
 * memberOf, the derived groups and the encoded bytes after each step: no stale answer anywhere.
 */
const S = 'dc=example,dc=com';
const T = `ou=teams,${S}`;
const dit = createDit({ suffix: S });
const T0 = new Date(Date.UTC(2025, 0, 1));
const uid = (i: number): string => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
const GROUP = '11111111-0000-4000-8000-000000000000';
const TEAM = '33333333-0000-4000-8000-000000000000';
const EVERYONE_WEB = '44444444-0000-4000-8000-000000000001';
const EVERYONE_ORG = '44444444-0000-4000-8000-000000000002';

const users: User[] = [0, 1, 2].map((i) => ({
  id: uid(i), username: `u${i}`, email: `u${i}@example.com`, fallbackEmail: null, displayName: '', role: 'user', active: i !== 2,
  source: 'local', sourceId: null, sourceDn: null, passwordHash: 'h', uidNumber: 10000 + i, totpEnabled: false,
  createdAt: T0, updatedAt: T0, passwordChangedAt: null,
}));
const group: Group = { id: GROUP, name: 'devs', description: '', gidNumber: 10000, source: 'local', sourceId: null, createdAt: T0, updatedAt: T0 };
const team: Team = { id: TEAM, name: 'web', description: '', createdAt: T0, updatedAt: T0 };
const direct: Grant = { id: '44444444-0000-4000-8000-000000000000', teamId: TEAM, principal: { type: 'user', id: uid(0) }, level: 'editor', createdAt: T0, updatedAt: T0 };

function everyone(id: string, teamId: string | null, level: Level, minute: number): Grant {
  const at = new Date(T0.getTime() + minute * 60_000);
  return { id, teamId, principal: { type: 'everyone' }, level, createdAt: T0, updatedAt: at };
}

/** The batch the change feed delivers for grant rows alone: no user is re-read. */
function grantBatch(revision: number, grants: [string, Grant | undefined][]): RecordBatch {
  return { revision, users: new Map(), groups: new Map(), userGroups: new Map(), accounts: new Map(), grants: new Map(grants), changedAt: { users: new Map(), groups: new Map() } };
}

const snapshot: Snapshot = {
  revision: 1, users, groups: [group], memberships: [{ groupId: GROUP, userId: uid(0) }], serviceAccounts: [], teams: [team], grants: [direct],
};
const teamDns = (levels: readonly string[]): string[] => levels.map((l) => `cn=${l},${T}`);
const USERS = `cn=users,ou=groups,${S}`;
const DEVS = `cn=devs,ou=groups,${S}`;

describe('a grant to everyone in the view (issue 13)', () => {
  const selection = compileSelection(['memberOf']);
  const cache = new EncodedCache((entry) => Buffer.from(JSON.stringify(entry)));
  const state = DirectoryState.load(dit, snapshot, (entry) => cache.release(entry));
  const memberOf = (i: number): readonly string[] => state.entries.byId.user.get(uid(i))?.attributes.get('memberof') ?? [];
  const memberUids = (cn: string): readonly string[] => state.entries.byNorm.get(`cn=${cn},${T}`)?.attributes.get('memberuid') ?? [];
  /** What a search would send for each listed user, through the cache. */
  const encoded = (): string[] => [0, 1].map((i) => {
    const entry = state.entries.byId.user.get(uid(i));
    if (entry === undefined) throw new Error(`u${i} missing`);
    return cache.get(entry, selection).toString();
  });
  /** The cache's byte count equals the bytes it holds: dropped encodings were subtracted once. */
  const heldBytes = (): number => [...state.entries.byId.user.values()].reduce((n, e) => n + EncodedCache.heldBy(e), 0);

  it('starts from the direct grant only', () => {
    expect(memberOf(0)).toEqual([USERS, DEVS, ...teamDns(['web.viewer', 'web.user', 'web.editor'])]);
    expect(memberOf(1)).toEqual([USERS]);
    expect(encoded()[1]).not.toContain('web.viewer');
    expect(memberUids('web.viewer')).toEqual(['u0']);
  });

  it('shows a grant to everyone, its level change and its revoke in memberOf, derived groups and encodings', () => {
    const before = state.entries.byId.user.get(uid(1));
    state.apply(grantBatch(2, [[EVERYONE_WEB, everyone(EVERYONE_WEB, TEAM, 'viewer', 1)]]));
    expect(state.entries.byId.user.get(uid(1))).toBe(before); // not rebuilt: the generation moved
    expect(memberOf(1)).toEqual([USERS, ...teamDns(['web.viewer'])]);
    expect(memberOf(0)).toEqual([USERS, DEVS, ...teamDns(['web.viewer', 'web.user', 'web.editor'])]);
    expect(state.entries.byId.user.has(uid(2))).toBe(false); // inactive: no entry, no level
    expect(memberUids('web.viewer')).toEqual(['u0', 'u1']);
    expect(encoded()[1]).toContain(`cn=web.viewer,${T}`);
    expect(cache.size).toBe(heldBytes());

    state.apply(grantBatch(3, [[EVERYONE_WEB, everyone(EVERYONE_WEB, TEAM, 'publisher', 2)]]));
    expect(memberOf(1)).toEqual([USERS, ...teamDns(['web.viewer', 'web.user', 'web.editor', 'web.publisher'])]);
    expect(memberOf(0)).toEqual([USERS, DEVS, ...teamDns(['web.viewer', 'web.user', 'web.editor', 'web.publisher'])]);
    expect(memberUids('web.publisher')).toEqual(['u0', 'u1']);
    expect(memberUids('web.admin')).toEqual([]);
    const [e0, e1] = encoded();
    expect(e0).toContain(`cn=web.publisher,${T}`);
    expect(e1).toContain(`cn=web.publisher,${T}`);
    expect(cache.size).toBe(heldBytes());

    state.apply(grantBatch(4, [[EVERYONE_WEB, undefined]]));
    expect(memberOf(1)).toEqual([USERS]);
    expect(memberOf(0)).toEqual([USERS, DEVS, ...teamDns(['web.viewer', 'web.user', 'web.editor'])]);
    expect(memberUids('web.viewer')).toEqual(['u0']);
    expect(memberUids('web.publisher')).toEqual([]);
    expect(encoded()[1]).not.toContain('web.');
    expect(cache.size).toBe(heldBytes());
  });

  it('shows an organisation grant to everyone on every team and in the organisation groups, and its revoke', () => {
    state.apply(grantBatch(5, [[EVERYONE_ORG, everyone(EVERYONE_ORG, null, 'user', 3)]]));
    const org = teamDns(['organization.viewer', 'organization.user']);
    expect(memberOf(1)).toEqual([USERS, ...org, ...teamDns(['web.viewer', 'web.user'])]);
    expect(memberOf(0)).toEqual([USERS, DEVS, ...org, ...teamDns(['web.viewer', 'web.user', 'web.editor'])]);
    expect(memberUids('organization.user')).toEqual(['u0', 'u1']);
    expect(memberUids('web.user')).toEqual(['u0', 'u1']);
    expect(encoded()[1]).toContain(`cn=organization.user,${T}`);

    state.apply(grantBatch(6, [[EVERYONE_ORG, undefined]]));
    expect(memberOf(1)).toEqual([USERS]);
    expect(memberUids('web.user')).toEqual(['u0']);
    expect(encoded()[1]).not.toContain('organization.');
    expect(cache.size).toBe(heldBytes());
  });
});
