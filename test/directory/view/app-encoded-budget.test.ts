import { describe, expect, it } from 'vitest';
import type { Application } from '../../../src/domain/application.js';
import type { User } from '../../../src/domain/model.js';
import type { Snapshot } from '../../../src/store/store.js';
import { encodedRebased, rebaseFor } from '../../../src/directory/view/app-entries.js';
import { compileSelection } from '../../../src/directory/view/attribute-selection.js';
import { DirectoryState } from '../../../src/directory/view/directory-state.js';
import { createDit } from '../../../src/directory/view/dit.js';
import { EncodedCache } from '../../../src/directory/view/encoded-cache.js';

/**
 * Issue 16: applications' re-based answers have a byte budget of their own, past which the oldest
 * are evicted; global answers are never evicted for them, and no answer is ever stale.
 */
const S = 'dc=example,dc=com';
const dit = createDit({ suffix: S });
const T0 = new Date(Date.UTC(2025, 0, 1));
const uid = (i: number): string => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
const user = (i: number, name = `u${i}`): User => ({
  id: uid(i), username: name, email: `${name}@example.com`, fallbackEmail: null, displayName: '', role: 'user', active: true,
  source: 'local', sourceId: null, sourceDn: null, passwordHash: 'h', uidNumber: 10000 + i, totpEnabled: false,
  createdAt: T0, updatedAt: T0, passwordChangedAt: null,
});
const apps: Application[] = [0, 1, 2, 3].map((a) => ({
  id: `55555555-0000-4000-8000-00000000000${a}`, name: `app${a}`, description: '', secretHash: '!', allowedCidrs: [],
  createdAt: T0, updatedAt: T0, access: { everyone: true, groups: [], teams: [] },
}));
const NUSERS = 6;
const snapshot = { revision: 1, users: Array.from({ length: NUSERS }, (_, i) => user(i)), groups: [], memberships: [], serviceAccounts: [], apps, teams: [], grants: [] } as Snapshot;

const encode = (entry: object): Buffer => Buffer.from(JSON.stringify(entry));
/** Encodes without any cache: what a fresh directory would send. */
const fresh = new EncodedCache(encode);

function setup(rebasedMinBytes: number) {
  /** DNs the cache under test encoded (its misses). */
  const encodes: string[] = [];
  const cache = new EncodedCache(
    (entry) => {
      encodes.push(entry.objectName);
      return encode(entry);
    },
    { rebasedShare: 0, rebasedMinBytes },
  );
  const state = DirectoryState.load(dit, snapshot, (entry) => cache.release(entry));
  const selection = compileSelection(['uid', 'mail', 'memberOf']);
  const global = (i: number) => state.entries.byId.user.get(uid(i)) ?? expect.unreachable(`u${i} missing`);
  const rebased = (a: number, i: number) => rebaseFor(dit, state.records.apps.get(apps[a]?.id ?? '') ?? expect.unreachable()).entry(global(i));
  /** A re-based answer through the cache, checked against a fresh encoding of the same image. */
  const viaApp = (a: number, i: number): Buffer => {
    const shown = rebased(a, i);
    const bytes = encodedRebased(cache, shown, selection) ?? expect.unreachable('not cacheable');
    expect(bytes.toString()).toBe(fresh.encodeOnly(shown, selection).toString());
    return bytes;
  };
  const held = (): number => [...state.entries.byId.user.values()].reduce((n, e) => n + EncodedCache.heldBy(e), 0);
  return { cache, state, selection, global, viaApp, held, encodes };
}

describe('the budget of re-based answers (issue 16)', () => {
  it('evicts the oldest re-based answers past its budget, never a global one', () => {
    const probe = setup(1 << 20);
    const one = probe.viaApp(0, 0).length; // every image is the same length give or take a digit
    const t = setup(one * 3 + one / 2);
    for (let i = 0; i < NUSERS; i++) t.cache.get(t.global(i), t.selection);
    const globalBytes = t.cache.size;
    // Asked twice each: once full, an answer gets in on its second miss.
    for (let i = 0; i < NUSERS; i++) for (const _ of [1, 2]) t.viaApp(1, i);
    expect(t.cache.rebasedSize).toBeLessThanOrEqual(one * 3 + one / 2);
    expect(t.cache.rebasedSize).toBeGreaterThan(0);
    expect(t.cache.size - t.cache.rebasedSize).toBe(globalBytes);
    expect(t.cache.size).toBe(t.held());
    // The newest three are held, the oldest were evicted and are encoded again.
    t.encodes.length = 0;
    for (const i of [5, 4, 3]) t.viaApp(1, i);
    expect(t.encodes).toEqual([]);
    t.viaApp(1, 0);
    expect(t.encodes).toEqual([`cn=uid-${uid(0)},ou=users,ou=app1,ou=apps,${S}`]);
    // Every global answer is still a hit.
    t.encodes.length = 0;
    for (let i = 0; i < NUSERS; i++) t.cache.get(t.global(i), t.selection);
    expect(t.encodes).toEqual([]);
    expect(t.cache.size).toBe(t.held());
  });

  it('when full, keeps only an answer missed twice (a scan does not churn the budget)', () => {
    const one = setup(1 << 20).viaApp(0, 0).length;
    const t = setup(one * 2 + one / 2);
    for (const i of [0, 1]) t.viaApp(1, i); // fills the budget
    for (const i of [2, 3, 4]) t.viaApp(1, i); // a scan: each missed once, none kept
    t.encodes.length = 0;
    for (const i of [0, 1]) t.viaApp(1, i);
    expect(t.encodes).toEqual([]);
    t.viaApp(1, 3); // missed a second time: kept in place of the oldest (u0)
    t.encodes.length = 0;
    for (const i of [1, 3]) t.viaApp(1, i);
    expect(t.encodes).toEqual([]);
    t.viaApp(1, 0);
    expect(t.encodes).toEqual([`cn=uid-${uid(0)},ou=users,ou=app1,ou=apps,${S}`]);
    expect(t.cache.size).toBe(t.held());
  });

  it('keeps up to three re-based answers per entry besides its global ones', () => {
    const t = setup(1 << 20);
    t.cache.get(t.global(0), t.selection);
    for (const a of [0, 1, 2, 3]) t.viaApp(a, 0);
    t.encodes.length = 0;
    t.cache.get(t.global(0), t.selection);
    for (const a of [1, 2, 3]) t.viaApp(a, 0);
    expect(t.encodes).toEqual([]);
    t.viaApp(0, 0); // the oldest re-based one went
    expect(t.encodes).toEqual([`cn=uid-${uid(0)},ou=users,ou=app0,ou=apps,${S}`]);
    expect(t.cache.size).toBe(t.held());
  });

  it('never answers from a replaced entry, and returns its bytes to both budgets', () => {
    const t = setup(1 << 20);
    for (let i = 0; i < NUSERS; i++) {
      t.cache.get(t.global(i), t.selection);
      t.viaApp(2, i);
    }
    const before = t.cache.size;
    const rebasedBefore = t.cache.rebasedSize;
    t.state.apply({
      revision: 2, users: new Map([[uid(1), user(1, 'renamed')]]), groups: new Map(), userGroups: new Map(), accounts: new Map(),
      changedAt: { users: new Map(), groups: new Map() },
    });
    expect(t.cache.size).toBe(t.held());
    expect(t.cache.rebasedSize).toBeLessThan(rebasedBefore);
    expect(t.cache.size).toBeLessThan(before);
    const bytes = t.viaApp(2, 1).toString();
    expect(bytes).toContain(`"objectName":"cn=uid-${uid(1)},ou=users,ou=app2,ou=apps,${S}"`);
    expect(bytes).toContain('"values":["renamed"]');
    expect(bytes).toContain('renamed@example.com');
    expect(t.cache.size).toBe(t.held());
  });
});
