import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Application } from '../../../src/domain/application.js';
import { effectiveLevel } from '../../../src/domain/effective-level.js';
import { atLeast } from '../../../src/domain/levels.js';
import { isAtLeast } from '../../../src/domain/roles.js';
import { isListed } from '../../../src/domain/user-listing.js';
import { parseFilter } from '../../../src/domain/filter-parse.js';
import type { Snapshot } from '../../../src/store/store.js';
import { resolveAppBindTarget } from '../../../src/directory/view/app-bind-target.js';
import { searchWithApps } from '../../../src/directory/view/app-search.js';
import { DirectoryState } from '../../../src/directory/view/directory-state.js';
import { createDit } from '../../../src/directory/view/dit.js';
import { resolveEntry } from '../../../src/directory/view/dn-resolver.js';
import { SearchScope } from '../../../src/directory/view/view-search.js';
import type { Visibility } from '../../../src/directory/access-policy.js';
import { arbWorld, batchBetween, groupId, worldSnapshot } from '../../helpers/directory-world.js';

/**
 * Issue 16's property: for random users (roles, active), groups, teams, grants and application
 * rules, every application's view — its ou=users, its groups' members, the app bound as itself
 * searching the global tree, and user binds through it — holds exactly the users a pure reading
 * of the rule admits (admins and owners always; everyone; a listed group; at least the level on a
 * listed team, by the pure effective level), both for a state loaded from the snapshot and for
 * one that followed a change batch from another world to it. So no answer can be stale.
 */
const S = 'dc=example,dc=com';
const dit = createDit({ suffix: S });
const SIZES = { users: 6, groups: 3, teams: 2, apps: 3, maxGrants: 8, varyUsers: true } as const;
const world = arbWorld(SIZES);

/** The pure reading of the rule: who (by username) may use `app`, among the listed users. */
function expectedUsers(snap: Snapshot, app: Application): string[] {
  const out: string[] = [];
  for (const user of snap.users) {
    if (!isListed(user)) continue;
    const groupIds = new Set(snap.memberships.filter((m) => m.userId === user.id).map((m) => m.groupId));
    const who = { userId: user.id, listed: true, groupIds };
    const admitted =
      isAtLeast(user.role, 'admin') ||
      app.access.everyone ||
      app.access.groups.some((g) => groupIds.has(g)) ||
      app.access.teams.some((r) => snap.teams.some((t) => t.id === r.team) && atLeast(effectiveLevel(snap.grants, r.team, who).level, r.level));
    if (admitted) out.push(user.username as string);
  }
  return out.sort();
}

function search(state: DirectoryState, base: string, filter: string, visibility?: Visibility, scope: SearchScope = SearchScope.sub) {
  const ctx = { resolveDn: (v: string) => resolveEntry(state, v)?.normDn };
  return searchWithApps(state, ctx, base, scope, parseFilter(filter), visibility === undefined ? {} : { visibility });
}

function uids(state: DirectoryState, base: string, visibility?: Visibility): string[] {
  const outcome = search(state, base, '(objectClass=inetOrgPerson)', visibility);
  expect(outcome.found, base).toBe(true);
  return outcome.found ? [...outcome.cursor].map((e) => e.first('uid') ?? '').sort() : [];
}

function check(state: DirectoryState, snap: Snapshot): void {
  const apps = snap.apps ?? [];
  for (const app of apps) {
    const view = `ou=${app.name},ou=apps,${S}`;
    const want = expectedUsers(snap, app);
    expect(uids(state, `ou=users,${view}`), `${app.name} users`).toEqual(want);
    expect(uids(state, S, { kind: 'app', appId: app.id }), `${app.name} bound, global`).toEqual(want);
    for (let g = 0; g < SIZES.groups; g++) {
      const outcome = search(state, `cn=g${g},ou=groups,${view}`, '(objectClass=*)', undefined, SearchScope.base);
      const members = outcome.found ? (outcome.cursor.next()?.attributes.get('memberuid') ?? []) : ['(missing)'];
      const inGroup = snap.memberships.filter((m) => m.groupId === groupId(g)).map((m) => snap.users.find((u) => u.id === m.userId)?.username);
      expect([...members].sort(), `${app.name} g${g}`).toEqual(want.filter((u) => inGroup.includes(u)));
    }
    for (const user of snap.users) {
      if (user.username === null) continue;
      const target = resolveAppBindTarget(state, `uid=${user.username},ou=users,${view}`);
      const allowed = target?.kind === 'user' && target.allowed && isListed(user);
      expect(allowed, `${user.username} binds through ${app.name}`).toBe(want.includes(user.username));
    }
  }
  // ou=apps one level, as the directory admin: each app's entry and view root, in name order.
  const tree = search(state, `ou=apps,${S}`, '(objectClass=*)', { kind: 'all' }, SearchScope.one);
  const names = [...apps].map((a) => a.name).sort();
  expect(tree.found && [...tree.cursor].map((e) => e.dn)).toEqual(names.flatMap((n) => [`cn=${n},ou=apps,${S}`, `ou=${n},ou=apps,${S}`]));
}

/** Everything an app's view sends (DNs, memberOf, members), as seen through `state`. */
function viewImage(state: DirectoryState, snap: Snapshot): string[] {
  return (snap.apps ?? []).flatMap((app) => {
    const outcome = search(state, `ou=${app.name},ou=apps,${S}`, '(objectClass=*)');
    if (!outcome.found) return [`${app.name}: (missing)`];
    return [...outcome.cursor].map((e) => `${e.dn} ${['memberof', 'member', 'memberuid'].map((k) => [...(e.attributes.get(k) ?? [])].sort().join('|')).join(' ')}`);
  });
}

describe('application views: properties (issue 16)', () => {
  it('every view holds exactly the users the rule admits, loaded or followed through changes', () => {
    fc.assert(
      fc.property(world, world, world, fc.boolean(), fc.boolean(), (w1, w2, w3, keep2, keep3) => {
        // Often the rules stay as they are while everything else moves.
        const w2k = keep2 ? { ...w2, apps: w1.apps } : w2;
        const w3k = keep3 ? { ...w3, apps: w2k.apps } : w3;
        const [a, b, c] = [worldSnapshot(w1, 1), worldSnapshot(w2k, 2), worldSnapshot(w3k, 3)];
        const loaded = DirectoryState.load(dit, b);
        check(loaded, b);
        const followed = DirectoryState.load(dit, a);
        check(followed, a);
        followed.apply(batchBetween(a, b, 'changed'));
        check(followed, b);
        followed.apply(batchBetween(b, c, 'changed'));
        check(followed, c);
        // Re-based entries as a freshly loaded state makes them: nothing the views keep is stale.
        expect(viewImage(followed, c)).toEqual(viewImage(DirectoryState.load(dit, c), c));
      }),
      { numRuns: 120 },
    );
  });
});
