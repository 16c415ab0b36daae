import type { Store } from '../src/store/store.js';
import type { Dataset } from './dataset.js';

/**
 * Loads the dataset into pgdir's store through the Store interface (the same path the API and
 * the CLI use), in batched transactions. Batches run one after another: every writer takes the
 * store's revision lock first, so parallel transactions would only queue (measured: no faster).
 */

const USER_BATCH = 1000;
const GROUP_BATCH = 50;

/** The app the `app-search` case searches through: access for the members of the first APP_GROUPS groups. */
export const BENCH_APP = 'bench';
export const APP_GROUPS = 5;

export async function loadStore(store: Store, dataset: Dataset): Promise<void> {
  const groupIds: string[] = [];
  for (let i = 0; i < dataset.users.length; i += USER_BATCH) {
    const batch = dataset.users.slice(i, i + USER_BATCH);
    await store.write(async (tx) => {
      for (const u of batch) {
        await tx.insertUser({
          id: u.id, username: u.username, email: u.email, displayName: u.displayName, role: u.role, passwordHash: u.passwordHash,
        });
      }
    });
  }
  for (let i = 0; i < dataset.groups.length; i += GROUP_BATCH) {
    const batch = dataset.groups.slice(i, i + GROUP_BATCH);
    await store.write(async (tx) => {
      for (const g of batch) {
        const group = await tx.insertGroup({ name: g.name, description: g.description });
        groupIds.push(group.id);
        await tx.setMembers(group.id, g.members.map((m) => dataset.users[m]?.id ?? ''));
      }
    });
  }
  await loadApps(store, groupIds, benchApps());
}

/** BENCH_APPS applications (default 50, issue 16): `bench` plus others each admitting one group. */
export function benchApps(): number {
  const n = Number(process.env['BENCH_APPS'] ?? 50);
  return Number.isInteger(n) && n >= 0 ? n : 50;
}

async function loadApps(store: Store, groupIds: readonly string[], count: number): Promise<void> {
  if (count === 0) return;
  await store.write(async (tx) => {
    // No bind as these apps happens in the bench: a hash nothing verifies against is enough.
    const base = { description: '', secretHash: '!', allowedCidrs: [] };
    await tx.insertApp({ ...base, name: BENCH_APP, access: { everyone: false, groups: groupIds.slice(0, APP_GROUPS), teams: [] } });
    for (let i = 1; i < count; i++) {
      const group = groupIds[i % Math.max(groupIds.length, 1)];
      await tx.insertApp({ ...base, name: `app${i}`, access: { everyone: false, groups: group === undefined ? [] : [group], teams: [] } });
    }
  });
}
