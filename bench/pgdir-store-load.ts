import type { Store } from '../src/store/store.js';
import type { Dataset } from './dataset.js';

/**
 * Loads the dataset into pgdir's store through the Store interface (the same path the API and
 * the CLI use), in batched transactions. Batches run one after another: every writer takes the
 * store's revision lock first, so parallel transactions would only queue (measured: no faster).
 */

const USER_BATCH = 1000;
const GROUP_BATCH = 50;

export async function loadStore(store: Store, dataset: Dataset): Promise<void> {
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
        await tx.setMembers(group.id, g.members.map((m) => dataset.users[m]?.id ?? ''));
      }
    });
  }
}
