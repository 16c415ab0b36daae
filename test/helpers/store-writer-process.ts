/**
 * A second pgdir process for the store tests: opens the Store on the Postgres URL in argv[2],
 * inserts a user named argv[3], prints `{ revision, committedAt }` as one JSON line and exits.
 */
import { openStore } from '../../src/store/open-store.js';

const [url, username] = process.argv.slice(2);
if (!url || !username) {
  console.error('usage: store-writer-process <postgres-url> <username>');
  process.exit(2);
}
const store = await openStore({ url, dataDir: '/nonexistent', listen: false });
await store.write((tx) => tx.insertUser({ username, email: `${username}@example.com` }));
const committedAt = Date.now();
const revision = await store.revision();
console.log(JSON.stringify({ revision, committedAt }));
await store.close();
