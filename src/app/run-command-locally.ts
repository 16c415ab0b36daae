import type { Config } from '../config/schema.js';
import { createConnector } from '../connector/connector.js';
import { executeCommand, SYSTEM_ACTOR_CLI } from '../control/execute-command.js';
import { createDirectoryServices } from '../directory/directory-services.js';
import { createPasswordHasher } from '../crypto/password-hasher.js';
import { mailerForStoredServer } from '../mail/smtp-mailer.js';
import { createLogger } from '../log/create-logger.js';
import { openStore } from '../store/open-store.js';
import type { ProgressListener } from '../domain/progress.js';

/**
 * No daemon owns the data directory: open the store in this process, run the same command table
 * the daemon's control socket runs (control/execute-command.ts), with a connector of this process,
 * and close. With PostgreSQL the commit is announced by NOTIFY, so running daemons (on this host
 * or others) apply it at once.
 */
export async function runCommandLocally(config: Config, command: string, args: Record<string, unknown>, onProgress?: ProgressListener): Promise<unknown> {
  const logger = createLogger({ level: 'warn', destination: 2, format: 'json', base: { part: 'cli' } });
  // No LISTEN connection: this process only writes.
  const store = await openStore({ url: config.database.url, dataDir: config.data_dir, logger, listen: false });
  try {
    const hasher = createPasswordHasher({ cost: config.bcrypt.cost });
    const directory = createDirectoryServices({ store, hasher, dataDir: config.data_dir, mailerFor: mailerForStoredServer, name: config.name, builtinGroupNames: Object.values(config.ldap.builtin_groups), ldapSuffix: config.ldap.suffix });
    // Silent: the CLI prints the result; a daemon would log the run.
    const connector = createConnector({ store, pinned: config.connector });
    return await executeCommand({ directory, actor: SYSTEM_ACTOR_CLI, connector, onProgress }, command, args);
  } finally {
    await store.close();
  }
}
