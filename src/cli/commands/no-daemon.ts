import { probeSocket } from '../../control/control-client.js';
import { controlSocketPath } from '../../control/protocol.js';
import type { Config } from '../../config/schema.js';
import { conflict } from '../../domain/errors.js';

/**
 * Restore and migrate-store replace what a running daemon serves from memory without telling it:
 * they refuse while one answers on this data directory's control socket. (Daemons on other hosts
 * sharing a PostgreSQL database must be stopped too: docs/operations.md.)
 */
export async function requireNoDaemon(config: Config, what: string): Promise<void> {
  if (await probeSocket(controlSocketPath(config.data_dir))) {
    throw conflict(`pgdir serve is running on ${config.data_dir}: stop it before ${what}`);
  }
}
