import type { Config } from '../config/schema.js';
import { executeCommand, SYSTEM_ACTOR_CLI } from '../control/execute-command.js';
import { createDirectoryServices } from '../directory/directory-services.js';
import { createPasswordHasher } from '../directory/password-hasher.js';
import type { ProgressListener } from '../domain/progress.js';
import { createLogger } from '../log/create-logger.js';
import { openStore } from '../store/open-store.js';

/**
 * No daemon owns the data directory: open the store in this process, run the same use case the
 * daemon would, and close. With PostgreSQL the commit is announced by NOTIFY, so running daemons
 * (on this host or others) apply it at once.
 */
export async function runLocally(config: Config, command: string, args: Record<string, unknown>, onProgress?: ProgressListener): Promise<unknown> {
  const logger = createLogger({ level: 'warn', destination: 2, format: 'json', base: { part: 'cli' } });
  // No LISTEN connection: this process only writes.
  const store = await openStore({ url: config.database.url, dataDir: config.data_dir, logger, listen: false });
  try {
    const hasher = createPasswordHasher({ cost: config.bcrypt.cost });
    const directory = createDirectoryServices({ store, hasher, dataDir: config.data_dir, name: config.name });
    return await executeCommand({ directory, actor: SYSTEM_ACTOR_CLI, connector: config.connector, onProgress }, command, args);
  } finally {
    await store.close();
  }
}
