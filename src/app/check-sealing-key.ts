import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../config/config-error.js';
import type { Config } from '../config/schema.js';
import { fileKey, secretBoxOf, type SecretBox } from '../crypto/secret-box.js';
import { DirectoryError } from '../domain/errors.js';
import { checkSealingKey, recordSealingKey } from '../directory/settings/sealing-key-check.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';

/**
 * `<data_dir>/totp.key` against the directory (docs/scaling.md: every replica needs the same key).
 * `pgdir serve` runs it once the store is open, before any service: a key that does not open the
 * directory's sealed values refuses the start (exit 2, one log line naming the file and the fix);
 * on the first start it makes the key and records a check value sealed with it. `pgdir
 * check-config` runs the same check without writing anything.
 */
export async function checkSealingKeyFile(store: Store, dataDir: string, options: { readonly record: boolean }): Promise<void> {
  const path = join(dataDir, 'totp.key');
  const existing = await readKeyIfPresent(path);
  const verdict = await checkSealingKey(store, existing);
  if (verdict.state === 'wrong') throw wrongKey(path, existing !== undefined, verdict.sealed);
  if (!options.record || verdict.state === 'recorded') return;
  const box = existing ?? boxOf(await keyOrConfigError(path));
  await recordSealingKey(store, box);
  // Another daemon with another key may have recorded its value first (both started together).
  const again = await checkSealingKey(store, box);
  if (again.state === 'wrong') throw wrongKey(path, true, again.sealed);
}

/**
 * For `pgdir check-config`: the check against the configured store, read-only. Answers a note
 * when the store cannot be read from here (PostgreSQL unreachable, the embedded database held by
 * the running daemon, which checked its key when it started), undefined when checked or when
 * there is nothing to check yet (no embedded database made).
 */
export async function checkSealingKeyOffline(config: Config): Promise<string | undefined> {
  if (config.database.url === undefined && !(await exists(join(config.data_dir, 'pglite', 'PG_VERSION')))) return undefined;
  let store: Store;
  try {
    store = await openStore({ url: config.database.url, dataDir: config.data_dir, migrate: false, listen: false });
  } catch (err) {
    if (!(err instanceof DirectoryError)) throw err;
    // PGlite: one process only, so a running daemon holds it (and checked its key when it started).
    const why = config.database.url === undefined ? 'the embedded database is open in another process (pgdir serve checks the key when it starts)' : err.message;
    return `totp.key not checked against the directory: ${why}`;
  }
  try {
    await checkSealingKeyFile(store, config.data_dir, { record: false });
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    // An unmigrated database has no settings to check against.
    return `totp.key not checked against the directory: ${(err as Error).message}`;
  } finally {
    await store.close();
  }
  return undefined;
}

function wrongKey(path: string, present: boolean, sealed: string): ConfigError {
  const problem = present ? `${path} is not the key this directory's secrets are sealed with (${sealed} does not open)` : `${path} is missing, but this directory holds secrets sealed with a key (${sealed})`;
  return new ConfigError([{ key: '', message: `${problem}; every pgdir on one database needs the same totp.key: copy it from the data_dir of the first pgdir (mode 0600) and start again` }]);
}

const boxOf = (key: Buffer): SecretBox => secretBoxOf(async () => key);

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

async function readKeyIfPresent(path: string): Promise<SecretBox | undefined> {
  return (await exists(path)) ? boxOf(await keyOrConfigError(path)) : undefined;
}

/** The key (made on first use); a file that is not a key is a configuration error naming it. */
async function keyOrConfigError(path: string): Promise<Buffer> {
  try {
    return await fileKey(path);
  } catch (err) {
    throw new ConfigError([{ key: '', message: (err as Error).message }]);
  }
}
