import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryError } from '../../src/domain/errors.js';
import type { Group, User } from '../../src/domain/model.js';
import { openStore } from '../../src/store/open-store.js';
import type { Change, Store } from '../../src/store/store.js';
import { storeModes, type StoreFixture } from '../helpers/databases.js';

const uniq = (prefix: string): string => `${prefix}${randomBytes(4).toString('hex')}`;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function expectError(promise: Promise<unknown>, kind: string, field?: string): Promise<DirectoryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DirectoryError);
  const directoryError = error as DirectoryError;
  expect(directoryError.kind).toBe(kind);
  if (field !== undefined) expect(directoryError.field).toBe(field);
  return directoryError;
}

describe.each(storeModes)('store on $mode', ({ mode, create }) => {
  let fixture: StoreFixture;
  let store: Store;

  beforeAll(async () => {
    fixture = await create();
    store = await openStore(fixture.options);
  });
  afterAll(async () => {
    await store?.close();
    await fixture?.cleanup();
  });

  /** Runs one write and returns the change rows it appended. */
  async function changesOf<T>(fn: Parameters<Store['write']>[0]): Promise<{ result: T; changes: Change[] }> {
    const before = await store.revision();
    const result = (await store.write(fn)) as T;
    return { result, changes: await store.changesSince(before) };
  }

  it('reports its mode', () => {
    expect(store.mode).toBe(mode);
  });

  it('creates, reads, updates and deletes users', async () => {
    const name = uniq('alice');
    const user = await store.write((tx) =>
      tx.insertUser({ username: name, email: `${name}@example.com`, displayName: 'Alice A', passwordHash: 'h1' }),
    );
    expect(user.id).toMatch(UUID_V4);
    expect(user).toMatchObject({ username: name, role: 'user', active: true, source: 'local', totpEnabled: false });
    expect(user.uidNumber).toBeGreaterThanOrEqual(10000);
    expect(user.passwordChangedAt).toBeInstanceOf(Date);
    expect(await store.getUser(user.id)).toEqual(user);
    expect(await store.getUser(user.id.toUpperCase())).toEqual(user);
    expect(await store.findUserByUsername(name.toUpperCase())).toEqual(user);
    expect(await store.findUserByEmail(`${name.toUpperCase()}@EXAMPLE.COM`)).toEqual(user);

    const renamed = await store.write((tx) => tx.updateUser(user.id, { displayName: 'Alice B', role: 'admin' }));
    expect(renamed).toMatchObject({ displayName: 'Alice B', role: 'admin', passwordHash: 'h1' });
    expect(renamed.updatedAt.getTime()).toBeGreaterThanOrEqual(user.updatedAt.getTime());
    expect(renamed.passwordChangedAt).toEqual(user.passwordChangedAt);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const sameHash = await store.write((tx) => tx.updateUser(user.id, { passwordHash: 'h1' }));
    expect(sameHash.passwordChangedAt).toEqual(user.passwordChangedAt);
    const newHash = await store.write((tx) => tx.updateUser(user.id, { passwordHash: 'h2' }));
    expect(newHash.passwordChangedAt!.getTime()).toBeGreaterThan(user.passwordChangedAt!.getTime());

    await store.write((tx) => tx.deleteUser(user.id));
    expect(await store.getUser(user.id)).toBeUndefined();
    await expectError(store.write((tx) => tx.deleteUser(user.id)), 'not_found');
    await expectError(store.write((tx) => tx.updateUser(user.id, { displayName: 'x' })), 'not_found');
  });

  it('allocates uid and gid numbers from sequences and never reuses them', async () => {
    const a = await store.write((tx) => tx.insertUser({ username: null, email: `${uniq('u')}@example.com` }));
    await store.write((tx) => tx.deleteUser(a.id));
    const b = await store.write((tx) => tx.insertUser({ username: null, email: `${uniq('u')}@example.com` }));
    expect(b.uidNumber).toBeGreaterThan(a.uidNumber);
    expect(b.username).toBeNull();
    const g1 = await store.write((tx) => tx.insertGroup({ name: uniq('g') }));
    await store.write((tx) => tx.deleteGroup(g1.id));
    const g2 = await store.write((tx) => tx.insertGroup({ name: uniq('g') }));
    expect(g1.gidNumber).toBeGreaterThanOrEqual(10000);
    expect(g2.gidNumber).toBeGreaterThan(g1.gidNumber);
  });

  it('keeps a caller-supplied id (lower-cased) and rejects one that is not a uuid', async () => {
    const id = crypto.randomUUID().toUpperCase();
    const user = await store.write((tx) => tx.insertUser({ id, username: null, email: `${uniq('i')}@example.com` }));
    expect(user.id).toBe(id.toLowerCase());
    await expectError(store.write((tx) => tx.insertUser({ id: 'nope', username: null, email: 'n@example.com' })), 'invalid', 'id');
    expect(await store.getUser('not-a-uuid')).toBeUndefined();
    await expectError(store.write((tx) => tx.updateUser('not-a-uuid', {})), 'not_found');
  });

  it('lists users with search, filters, paging and a total', async () => {
    const tag = uniq('zq');
    await store.write(async (tx) => {
      await tx.insertUser({ username: `${tag}b`, email: `${tag}b@example.com`, displayName: 'Bob' });
      await tx.insertUser({ username: `${tag}a`, email: `${tag}a@example.com`, displayName: 'Ann', role: 'admin' });
      await tx.insertUser({ username: `${tag}c`, email: `${tag}c@example.com`, displayName: 'Cy', active: false });
    });
    const all = await store.listUsers({ search: tag.toUpperCase() });
    expect(all.total).toBe(3);
    expect(all.users.map((u) => u.username)).toEqual([`${tag}a`, `${tag}b`, `${tag}c`]);
    expect((await store.listUsers({ search: tag, active: false })).users.map((u) => u.username)).toEqual([`${tag}c`]);
    expect((await store.listUsers({ search: tag, role: 'admin' })).users.map((u) => u.username)).toEqual([`${tag}a`]);
    const page = await store.listUsers({ search: tag, limit: 1, offset: 1 });
    expect(page).toMatchObject({ total: 3, users: [{ username: `${tag}b` }] });
    expect((await store.listUsers({ search: '%' })).total).toBe(0); // LIKE wildcards are literal
  });

  it('creates groups and manages memberships', async () => {
    const { group, alice, bob } = await store.write(async (tx) => ({
      group: await tx.insertGroup({ name: uniq('Eng'), description: 'Engineers' }),
      alice: await tx.insertUser({ username: uniq('a'), email: `${uniq('a')}@example.com` }),
      bob: await tx.insertUser({ username: uniq('b'), email: `${uniq('b')}@example.com` }),
    }));
    expect(group).toMatchObject({ description: 'Engineers', source: 'local', sourceId: null });
    expect(await store.findGroupByName(group.name.toUpperCase())).toEqual(group);
    expect(await store.write((tx) => tx.addMember(group.id, alice.id))).toBe(true);
    expect(await store.write((tx) => tx.addMember(group.id, alice.id))).toBe(false);
    expect(await store.groupMemberIds(group.id)).toEqual([alice.id]);
    await store.write((tx) => tx.setMembers(group.id, [bob.id]));
    expect(await store.groupMemberIds(group.id)).toEqual([bob.id]);
    expect(await store.userGroupIds(bob.id)).toEqual([group.id]);
    expect(await store.write((tx) => tx.removeMember(group.id, bob.id))).toBe(true);
    expect(await store.write((tx) => tx.removeMember(group.id, bob.id))).toBe(false);
    await expectError(store.write((tx) => tx.addMember(group.id, crypto.randomUUID())), 'not_found');
    await expectError(store.write((tx) => tx.setMembers(crypto.randomUUID(), [])), 'not_found');

    const updated = await store.write((tx) => tx.updateGroup(group.id, { description: 'Builders' }));
    expect(updated).toMatchObject({ name: group.name, description: 'Builders', gidNumber: group.gidNumber });
    await store.write((tx) => tx.setMembers(group.id, [alice.id, bob.id]));
    await store.write((tx) => tx.deleteUser(alice.id));
    expect(await store.groupMemberIds(group.id)).toEqual([bob.id]);
    await store.write((tx) => tx.deleteGroup(group.id));
    expect(await store.getGroup(group.id)).toBeUndefined();
    expect(await store.userGroupIds(bob.id)).toEqual([]);
    expect((await store.listGroups()).some((g) => g.id === group.id)).toBe(false);
  });

  it('stores settings as JSON values', async () => {
    const key = uniq('setting.');
    expect(await store.getSetting(key)).toBeUndefined();
    await store.write((tx) => tx.setSetting(key, { enabled: true, list: [1, 'two'] }));
    expect(await store.getSetting(key)).toEqual({ enabled: true, list: [1, 'two'] });
    await store.write((tx) => tx.setSetting(key, 'plain string'));
    expect(await store.getSetting<string>(key)).toBe('plain string');
    await store.write((tx) => tx.setSetting(key, [1, 2]));
    expect(await store.getSetting(key)).toEqual([1, 2]);
    await store.write((tx) => tx.deleteSetting(key));
    expect(await store.getSetting(key)).toBeUndefined();
    await expectError(store.write((tx) => tx.setSetting(key, undefined)), 'invalid');
  });

  it('manages service accounts', async () => {
    const name = uniq('app');
    const account = await store.write((tx) =>
      tx.insertServiceAccount({ name, secretHash: 's1', allowedCidrs: ['10.0.0.0/8', '::1/128'] }),
    );
    expect(account).toMatchObject({ name, secretHash: 's1', allowedCidrs: ['10.0.0.0/8', '::1/128'], privileged: false });
    expect(await store.findServiceAccountByName(name.toUpperCase())).toEqual(account);
    const updated = await store.write((tx) =>
      tx.updateServiceAccount(account.id, { privileged: true, allowedCidrs: [], secretHash: 's2' }),
    );
    expect(updated).toMatchObject({ privileged: true, allowedCidrs: [], secretHash: 's2' });
    expect(await store.getServiceAccount(account.id)).toEqual(updated);
    await expectError(store.write((tx) => tx.insertServiceAccount({ name: name.toUpperCase(), secretHash: 'x' })), 'conflict', 'name');
    expect((await store.listServiceAccounts()).filter((a) => a.id === account.id)).toHaveLength(1);
    await store.write((tx) => tx.deleteServiceAccount(account.id));
    expect(await store.getServiceAccount(account.id)).toBeUndefined();
  });

  it('appends and lists audit records, newest first', async () => {
    const action = uniq('test.');
    await store.write(async (tx) => {
      await tx.appendAudit({ actor: 'cli', action, target: 'alice', result: 'denied', ip: '192.0.2.1', details: { a: 1 } });
      await tx.appendAudit({ actor: null, action });
    });
    const records = await store.listAudit({ action });
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({ actor: null, action, target: null, result: 'ok', ip: null, details: {} });
    expect(records[1]).toMatchObject({ actor: 'cli', target: 'alice', result: 'denied', ip: '192.0.2.1', details: { a: 1 } });
    expect(records[0]!.id).toBeGreaterThan(records[1]!.id);
    expect(records[0]!.at).toBeInstanceOf(Date);
    expect(await store.listAudit({ action, limit: 1, offset: 1 })).toEqual([records[1]]);
  });

  describe('uniqueness', () => {
    it('rejects duplicate usernames, emails and group names case-insensitively, writing nothing', async () => {
      const name = uniq('carol');
      const group = uniq('Ops');
      const carol = await store.write(async (tx) => {
        await tx.insertGroup({ name: group });
        return tx.insertUser({ username: name, email: `${name}@example.com` });
      });
      const revision = await store.revision();
      const count = (await store.listUsers()).total;
      const dupName = await expectError(
        store.write((tx) => tx.insertUser({ username: name.toUpperCase(), email: `${uniq('x')}@example.com` })),
        'conflict',
        'username',
      );
      expect(dupName.message).toBe(`username "${name.toUpperCase()}" is already taken`);
      expect(dupName.status).toBe(409);
      await expectError(
        store.write((tx) => tx.insertUser({ username: uniq('d'), email: `${name.toUpperCase()}@EXAMPLE.com` })),
        'conflict',
        'email',
      );
      await expectError(store.write((tx) => tx.insertGroup({ name: group.toLowerCase() })), 'conflict', 'name');
      const other = await store.write((tx) => tx.insertUser({ username: uniq('e'), email: `${uniq('e')}@example.com` }));
      const afterOther = await store.revision();
      await expectError(store.write((tx) => tx.updateUser(other.id, { username: name })), 'conflict', 'username');
      await expectError(store.write((tx) => tx.updateUser(other.id, { email: carol.email.toUpperCase() })), 'conflict', 'email');
      expect(afterOther).toBe(revision + 1);
      expect(await store.revision()).toBe(afterOther);
      expect((await store.listUsers()).total).toBe(count + 1);
      expect(await store.getUser(other.id)).toEqual(other);
    });

    it('keeps the transaction usable after a caught conflict', async () => {
      const name = uniq('dave');
      await store.write((tx) => tx.insertUser({ username: name, email: `${name}@example.com` }));
      const fresh = uniq('erin');
      const outcome = await store.write(async (tx) => {
        const error = await tx.insertUser({ username: name, email: `${uniq('z')}@example.com` }).catch((e: unknown) => e);
        const user = await tx.insertUser({ username: fresh, email: `${fresh}@example.com` });
        return { error, user };
      });
      expect(outcome.error).toMatchObject({ kind: 'conflict', field: 'username' });
      expect(await store.findUserByUsername(fresh)).toEqual(outcome.user);
      const last = await store.changesSince((await store.revision()) - 1);
      expect(last).toEqual([{ revision: await store.revision(), kind: 'user', key: outcome.user.id, op: 'upsert', at: expect.any(Date) }]);
    });
  });

  it('keeps nothing of a write that throws half-way', async () => {
    const revision = await store.revision();
    const tag = uniq('half');
    const boom = new Error('boom');
    await expect(
      store.write(async (tx) => {
        for (const n of [1, 2, 3]) await tx.insertUser({ username: `${tag}${n}`, email: `${tag}${n}@example.com` });
        await tx.setSetting(tag, 1);
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect((await store.listUsers({ search: tag })).total).toBe(0);
    expect(await store.getSetting(tag)).toBeUndefined();
    expect(await store.revision()).toBe(revision);
    expect(await store.changesSince(revision)).toEqual([]);
  });

  it('refuses Store calls and nested writes inside a write callback', async () => {
    await expectError(store.write(() => store.getUser(crypto.randomUUID())), 'internal');
    await expectError(store.write(() => store.write(async () => 1)), 'internal');
  });

  it('appends a change row and notifies subscribers for every mutator', async () => {
    const seen: number[] = [];
    const unsubscribe = store.subscribe((revision) => seen.push(revision));
    const expectChanges = async (fn: Parameters<Store['write']>[0], expected: Omit<Change, 'revision' | 'at'>[]) => {
      const before = await store.revision();
      const { changes } = await changesOf(fn);
      expect(changes.map(({ kind, key, op }) => ({ kind, key, op }))).toEqual(expected);
      expect(changes.map((c) => c.revision)).toEqual(expected.map((_, i) => before + i + 1));
      if (expected.length > 0) await expect.poll(() => seen.at(-1)).toBe(before + expected.length);
    };
    const user = await store.write((tx) => tx.insertUser({ username: uniq('f'), email: `${uniq('f')}@example.com` }));
    const group = await store.write((tx) => tx.insertGroup({ name: uniq('g') }));
    const other = await store.write((tx) => tx.insertUser({ username: uniq('o'), email: `${uniq('o')}@example.com`, passwordHash: 'h' }));
    const m = (u: string) => `${group.id}:${u}`;
    const key = uniq('k');
    const inserted = await changesOf<{ id: string }>((tx) =>
      tx.insertUser({ username: uniq('n'), email: `${uniq('n')}@example.com` }),
    );
    expect(inserted.changes.map(({ kind, key: k, op }) => ({ kind, key: k, op }))).toEqual([
      { kind: 'user', key: inserted.result.id, op: 'upsert' },
    ]);
    await expect.poll(() => seen.at(-1)).toBe(inserted.changes[0]!.revision);
    await expectChanges((tx) => tx.updateUser(user.id, { displayName: 'F' }), [{ kind: 'user', key: user.id, op: 'upsert' }]);
    await expectChanges((tx) => tx.updateGroup(group.id, { description: 'd' }), [{ kind: 'group', key: group.id, op: 'upsert' }]);
    await expectChanges((tx) => tx.addMember(group.id, user.id), [{ kind: 'membership', key: m(user.id), op: 'upsert' }]);
    await expectChanges((tx) => tx.addMember(group.id, user.id), []);
    await expectChanges((tx) => tx.setMembers(group.id, [other.id]), [
      { kind: 'membership', key: m(other.id), op: 'upsert' },
      { kind: 'membership', key: m(user.id), op: 'delete' },
    ]);
    await expectChanges((tx) => tx.removeMember(group.id, other.id), [{ kind: 'membership', key: m(other.id), op: 'delete' }]);
    await expectChanges((tx) => tx.addMember(group.id, other.id), [{ kind: 'membership', key: m(other.id), op: 'upsert' }]);
    // A rename changes the group's memberUid: the membership is logged so the view moves the group's time.
    await expectChanges((tx) => tx.updateUser(other.id, { username: uniq('r') }), [
      { kind: 'user', key: other.id, op: 'upsert' },
      { kind: 'membership', key: m(other.id), op: 'upsert' },
    ]);
    await expectChanges((tx) => tx.updateUser(other.id, { displayName: 'O', active: true }), [{ kind: 'user', key: other.id, op: 'upsert' }]);
    await expectChanges((tx) => tx.deleteUser(other.id), [
      { kind: 'membership', key: m(other.id), op: 'delete' },
      { kind: 'user', key: other.id, op: 'delete' },
    ]);
    await expectChanges((tx) => tx.addMember(group.id, user.id), [{ kind: 'membership', key: m(user.id), op: 'upsert' }]);
    await expectChanges((tx) => tx.deleteGroup(group.id), [
      { kind: 'membership', key: m(user.id), op: 'delete' },
      { kind: 'group', key: group.id, op: 'delete' },
    ]);
    await expectChanges((tx) => tx.setSetting(key, 1), [{ kind: 'setting', key, op: 'upsert' }]);
    await expectChanges((tx) => tx.deleteSetting(key), [{ kind: 'setting', key, op: 'delete' }]);
    await expectChanges((tx) => tx.deleteSetting(key), []);
    await expectChanges((tx) => tx.appendAudit({ actor: 'cli', action: 'x' }), []);
    await expectChanges((tx) => tx.deleteUser(user.id), [{ kind: 'user', key: user.id, op: 'delete' }]);

    const sa = await changesOf<{ id: string }>((tx) => tx.insertServiceAccount({ name: uniq('sa'), secretHash: 'h' }));
    expect(sa.changes.map(({ kind, key, op }) => ({ kind, key, op }))).toEqual([
      { kind: 'service_account', key: sa.result.id, op: 'upsert' },
    ]);
    await expectChanges((tx) => tx.updateServiceAccount(sa.result.id, { privileged: true }), [
      { kind: 'service_account', key: sa.result.id, op: 'upsert' },
    ]);
    await expectChanges((tx) => tx.deleteServiceAccount(sa.result.id), [
      { kind: 'service_account', key: sa.result.id, op: 'delete' },
    ]);
    const created = await changesOf<{ id: string }>((tx) => tx.insertGroup({ name: uniq('h') }));
    expect(created.changes.map(({ kind, key }) => `${kind}:${key}`)).toEqual([`group:${created.result.id}`]);

    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(new Set(seen).size).toBe(seen.length);
    unsubscribe();
    const count = seen.length;
    await store.write((tx) => tx.setSetting(key, 2));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toHaveLength(count);
  });

  it('moves updated_at of rows whose entry changes through another row, to the change rows\' time', async () => {
    // The view relies on it (read-batch.ts): a touched row's updated_at equals its change row's `at`.
    const mk = (p: string) => store.write((tx) => tx.insertUser({ username: uniq(p), email: `${uniq(p)}@example.com`, passwordHash: 'h' }));
    const users = [await mk('t1'), await mk('t2'), await mk('t3')];
    const group = await store.write((tx) => tx.insertGroup({ name: uniq('tg') }));
    const times = async (): Promise<number[]> => [
      ((await store.getGroup(group.id)) as Group).updatedAt.getTime(),
      ...(await Promise.all(users.map(async (u) => ((await store.getUser(u.id)) as User).updatedAt.getTime()))),
    ];
    // Apart by more than a millisecond, so that an untouched row cannot share the time by chance.
    const step = async (fn: Parameters<Store['write']>[0]): Promise<Change[]> => {
      await new Promise((resolve) => setTimeout(resolve, 3));
      return (await changesOf(fn)).changes;
    };
    const expectTouched = async (changes: Change[], touched: boolean[]): Promise<void> => {
      const at = changes[0]?.at.getTime();
      expect(changes.every((c) => c.at.getTime() === at)).toBe(true);
      expect((await times()).map((t) => t === at)).toEqual(touched);
    };
    await expectTouched(await step((tx) => tx.setMembers(group.id, users.map((u) => u.id))), [true, true, true, true]);
    await expectTouched(await step((tx) => tx.removeMember(group.id, users[0]!.id)), [true, true, false, false]);
    await expectTouched(await step((tx) => tx.updateUser(users[1]!.id, { active: false })), [true, false, true, false]);
    await expectTouched(await step((tx) => tx.updateGroup(group.id, { name: uniq('tg2') })), [true, false, true, true]);
    const before = await times();
    await store.write((tx) => tx.updateGroup(group.id, { description: 'no rename' }));
    expect((await times()).slice(1)).toEqual(before.slice(1));
    const gone = await step((tx) => tx.deleteUser(users[2]!.id));
    expect(((await store.getGroup(group.id)) as Group).updatedAt.getTime()).toBe(gone[0]?.at.getTime());
    const deleted = await step((tx) => tx.deleteGroup(group.id));
    expect(((await store.getUser(users[1]!.id)) as User).updatedAt.getTime()).toBe(deleted[0]?.at.getTime());
  });

  it('reads a consistent snapshot', async () => {
    const { user, group, account } = await store.write(async (tx) => {
      const u = await tx.insertUser({ username: uniq('s'), email: `${uniq('s')}@example.com` });
      const g = await tx.insertGroup({ name: uniq('s') });
      await tx.addMember(g.id, u.id);
      return { user: u, group: g, account: await tx.insertServiceAccount({ name: uniq('s'), secretHash: 'h' }) };
    });
    const snapshot = await store.snapshot();
    expect(snapshot.revision).toBe(await store.revision());
    expect(snapshot.users).toContainEqual(user);
    expect(snapshot.groups).toContainEqual(group);
    expect(snapshot.memberships).toContainEqual({ groupId: group.id, userId: user.id });
    expect(snapshot.serviceAccounts).toContainEqual(account);
    expect(snapshot.users).toHaveLength((await store.listUsers()).total);
  });

  it('runs 50 concurrent writes where every third throws, keeping exactly the others', async () => {
    const tag = uniq('c');
    const revision = await store.revision();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        store.write(async (tx) => {
          await tx.insertUser({ username: `${tag}${i}`, email: `${tag}${i}@example.com` });
          await new Promise((resolve) => setTimeout(resolve, i % 5));
          if (i % 3 === 0) throw new Error(`write ${i} fails`);
          return i;
        }),
      ),
    );
    const kept = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [i] : []));
    expect(kept).toEqual(Array.from({ length: 50 }, (_, i) => i).filter((i) => i % 3 !== 0));
    const stored = (await store.listUsers({ search: tag })).users.map((u) => Number(u.username!.slice(tag.length)));
    expect(stored.sort((a, b) => a - b)).toEqual(kept);
    const changes = await store.changesSince(revision);
    expect(changes.map((c) => c.revision)).toEqual(kept.map((_, i) => revision + i + 1));
  });

  it('counts authentication failures in a sliding window, and blocks for the cooldown', async () => {
    const key = uniq('ip:192.0.2.1|alice:');
    const other = uniq('ip:192.0.2.2|alice:');
    const rule = (windowMs: number, maxFailures = 10, cooldownMs = 0) => ({ windowMs, maxFailures, cooldownMs });
    expect((await store.authKeyState(key, rule(60_000))).failures).toBe(0);
    expect((await store.recordAuthFailure(key, rule(60_000))).failures).toBe(1);
    expect((await store.recordAuthFailure(key, rule(60_000))).failures).toBe(2);
    expect((await store.recordAuthFailure(other, rule(60_000))).failures).toBe(1);
    expect((await store.authKeyState(key, rule(60_000))).failures).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect((await store.authKeyState(key, rule(100))).failures).toBe(0);
    expect((await store.recordAuthFailure(key, rule(100))).failures).toBe(1);
    expect((await store.authKeyState(key, rule(60_000))).failures).toBe(3);
    // Three failures reach a limit of 3: blocked for the cooldown; a reservation is then refused.
    expect((await store.authKeyState(key, rule(60_000, 3, 30_000))).blockedMs).toBeGreaterThan(29_000);
    expect((await store.reserveAuthAttempt(key, rule(60_000, 3, 30_000))).reserved).toBe(false);
    expect((await store.blockedAuthKeys(rule(60_000, 3, 30_000))).map((k) => k.key)).toContain(key);
    await store.clearAuthFailures(key);
    expect((await store.authKeyState(key, rule(60_000))).failures).toBe(0);
    const made = await store.reserveAuthAttempt(key, rule(60_000, 3, 30_000));
    expect([made.reserved, made.after.failures]).toEqual([true, 1]);
    if (made.reserved) await store.releaseAuthAttempt(made.id);
    expect((await store.authKeyState(key, rule(60_000))).failures).toBe(0);
    expect((await store.authKeyState(other, rule(60_000))).failures).toBe(1);
    await expectError(store.recordAuthFailure(key, rule(0)), 'invalid');
  });
});
