import type { Store } from '../src/store/store.js';
import type { Dataset, DatasetUser } from './dataset.js';

/**
 * Loads the dataset into pgdir's store through the Store interface (the same path the API and
 * the CLI use), in batched transactions; with PostgreSQL several batches run at once.
 */

const USER_BATCH = 1000;
const GROUP_BATCH = 50;

async function inParallel<T>(items: readonly T[], workers: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.max(1, workers) }, worker));
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export async function loadStore(store: Store, dataset: Dataset): Promise<void> {
  const workers = store.mode === 'postgres' ? 4 : 1;
  await inParallel(chunks(dataset.users, USER_BATCH), workers, (batch) =>
    store.write(async (tx) => {
      for (const u of batch) {
        await tx.insertUser({
          id: u.id, username: u.username, email: u.email, displayName: u.displayName, role: u.role, passwordHash: u.passwordHash,
        });
      }
    }),
  );
  const ids = dataset.users.map((u: DatasetUser) => u.id);
  await inParallel(chunks(dataset.groups, GROUP_BATCH), workers, (batch) =>
    store.write(async (tx) => {
      for (const g of batch) {
        const group = await tx.insertGroup({ name: g.name, description: g.description });
        await tx.setMembers(group.id, g.members.map((i) => ids[i] as string));
      }
    }),
  );
}
