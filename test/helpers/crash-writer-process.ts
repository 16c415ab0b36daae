/**
 * A pgdir process that is killed in the middle of a write (test/store/store-crash.test.ts): opens the
 * store from the JSON options in argv[2], commits one user named `<tag>-committed`, prints
 * `committed`, then starts a multi-row write (three users, a group, a membership, a setting) that
 * prints `inside` and never finishes. The test SIGKILLs it there.
 */
import { openStore, type OpenStoreOptions } from '../../src/store/open-store.js';

const [json, tag] = process.argv.slice(2);
if (json === undefined || tag === undefined) {
  console.error('usage: crash-writer-process <open-store-options-json> <tag>');
  process.exit(2);
}
const store = await openStore({ ...(JSON.parse(json) as OpenStoreOptions), listen: false });
await store.write((tx) => tx.insertUser({ username: `${tag}-committed`, email: `${tag}-committed@example.com` }));
process.stdout.write('committed\n');
await store.write(async (tx) => {
  const users = [];
  for (const n of [1, 2, 3]) users.push(await tx.insertUser({ username: `${tag}-${n}`, email: `${tag}-${n}@example.com` }));
  const group = await tx.insertGroup({ name: `${tag}-group` });
  await tx.addMember(group.id, users[0]!.id);
  await tx.setSetting(`${tag}-setting`, 1);
  process.stdout.write('inside\n');
  await new Promise(() => undefined); // killed here, mid-transaction
});
