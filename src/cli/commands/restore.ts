import { resolve } from 'node:path';
import { readBackup, restoreFiles, restoreInto } from '../../directory/backup/backup-file.js';
import { createLogger } from '../../log/create-logger.js';
import { openStore } from '../../store/open-store.js';
import { EXIT_OK, type CliIo } from '../cli-io.js';
import type { Command } from '../command.js';
import { loadCliConfig } from '../load-cli-config.js';
import type { OptionValues } from '../management-command.js';
import { parseOptions } from '../parse-options.js';
import { requireNoDaemon } from './no-daemon.js';

const USAGE = `Usage: pgdir restore FILE [--config FILE] [--force]

Loads a backup made by "pgdir backup" into the configured store (PostgreSQL or the embedded one),
all or nothing, and puts its totp.key and admin-secret into data_dir. The store must hold no users,
groups or service accounts; --force replaces everything in it. Stop pgdir serve first (every
replica, when they share a PostgreSQL database); start it again afterwards.
`;

export const restoreCommand: Command = {
  name: 'restore',
  summary: 'load a backup into an empty store',
  async run(argv, io: CliIo) {
    const { values, positionals } = parseOptions(argv, { name: 'restore', options: { force: { type: 'boolean' } }, positionals: ['FILE'] });
    if (values.help === true) {
      io.stdout.write(USAGE);
      return EXIT_OK;
    }
    const config = loadCliConfig(values as OptionValues, io);
    const backup = await readBackup(resolve(io.cwd, positionals[0] ?? ''));
    await requireNoDaemon(config, 'restoring');
    const logger = createLogger({ level: 'warn', destination: 2, format: 'json', base: { part: 'cli' } });
    const store = await openStore({ url: config.database.url, dataDir: config.data_dir, logger, listen: false });
    try {
      const rows = await restoreInto(store, backup, { force: values.force === true });
      await restoreFiles(backup, config.data_dir);
      io.stdout.write(`restored ${rows['users'] ?? 0} users, ${rows['groups'] ?? 0} groups, ${rows['memberships'] ?? 0} memberships from ${backup.createdAt} into the ${store.mode === 'postgres' ? 'PostgreSQL' : 'embedded'} store\n`);
    } finally {
      await store.close();
    }
    return EXIT_OK;
  },
};
