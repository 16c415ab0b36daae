import { mkdir } from 'node:fs/promises';
import type { Config } from '../../config/schema.js';
import { acquireCliLock } from '../../control/cli-lock.js';
import { controlSocketPath } from '../../control/protocol.js';
import { createLogger } from '../../log/create-logger.js';
import { migrationStatus, runMigrations } from '../../store/open-store.js';
import { EXIT_OK, type CliIo } from '../cli-io.js';
import type { Command, CommandOptions } from '../command.js';
import { loadCliConfig } from '../load-cli-config.js';
import type { OptionValues } from '../management-command.js';
import { parseOptions } from '../parse-options.js';
import { fetchStatus } from './healthcheck.js';

const USAGE = `Usage: pgdir migrate [--config FILE] [--status]

Applies pending database migrations (serve also does this at start-up), each in its own
transaction; safe to run while other replicas start against the same PostgreSQL.
  --status   list applied and pending migrations without changing anything
With the embedded database and a running daemon, the daemon has already migrated at start-up.
`;

const MIGRATE_OPTIONS = { status: { type: 'boolean' } } as const satisfies CommandOptions;

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'apply database migrations',
  options: MIGRATE_OPTIONS,
  async run(argv, io: CliIo) {
    const { values } = parseOptions(argv, { name: 'migrate', options: MIGRATE_OPTIONS });
    if (values.help === true) {
      io.stdout.write(USAGE);
      return EXIT_OK;
    }
    const config = loadCliConfig(values as OptionValues, io);
    if (config.database.url === undefined) {
      const daemon = await fetchStatus(controlSocketPath(config.data_dir), 5_000);
      if (daemon !== undefined) {
        io.stdout.write(`the daemon (pid ${daemon.pid}) owns the embedded database and applied every migration at start-up\n`);
        return EXIT_OK;
      }
      await mkdir(config.data_dir, { recursive: true, mode: 0o700 });
      const release = await acquireCliLock(config.data_dir, 30_000);
      try {
        return await migrateOrReport(config, values.status === true, io);
      } finally {
        await release();
      }
    }
    return migrateOrReport(config, values.status === true, io);
  },
};

async function migrateOrReport(config: Config, statusOnly: boolean, io: CliIo): Promise<number> {
  const logger = createLogger({ level: 'warn', destination: 2, format: 'json' });
  const options = { url: config.database.url, dataDir: config.data_dir, logger };
  if (statusOnly) {
    const status = await migrationStatus(options);
    for (const m of status.migrations) io.stdout.write(`${m.appliedAt === null ? 'pending' : 'applied'}  ${m.name}\n`);
    for (const name of status.unknown) io.stdout.write(`unknown  ${name} (applied by a newer pgdir)\n`);
    return EXIT_OK;
  }
  const { applied } = await runMigrations(options);
  io.stdout.write(applied.length === 0 ? 'database is up to date\n' : `applied ${applied.length} migration(s): ${applied.join(', ')}\n`);
  return EXIT_OK;
}
