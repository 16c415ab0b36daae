import { maskUrl } from '../../log/mask-url.js';
import { restoreInto } from '../../directory/backup/backup-file.js';
import { invalid } from '../../domain/errors.js';
import { createLogger } from '../../log/create-logger.js';
import { openStore } from '../../store/open-store.js';
import { EXIT_OK, type CliIo } from '../cli-io.js';
import type { Command } from '../command.js';
import { loadCliConfig } from '../load-cli-config.js';
import type { OptionValues } from '../management-command.js';
import { parseOptions } from '../parse-options.js';
import { requireNoDaemon } from './no-daemon.js';

const USAGE = `Usage: pgdir migrate-store --to postgres://USER@HOST/DB [--config FILE] [--force]

Copies the configured store (usually the embedded one in data_dir) into the PostgreSQL database
at --to, in one transaction: every id, uid/gid number, password hash, 2FA secret and timestamp is
kept, so the daemon answers LDAP exactly as before. The target database must exist and hold no
users, groups or service accounts (--force replaces them); pgdir creates its tables there. Stop
pgdir serve first. Then set database.url (or database.url_file) in the configuration and start
pgdir serve again; the embedded store in data_dir is left as it was (delete it once satisfied).
`;

export const migrateStoreCommand: Command = {
  name: 'migrate-store',
  summary: 'copy the embedded store into PostgreSQL (moving off PGlite)',
  async run(argv, io: CliIo) {
    const { values } = parseOptions(argv, { name: 'migrate-store', options: { to: { type: 'string' }, force: { type: 'boolean' } } });
    if (values.help === true) {
      io.stdout.write(USAGE);
      return EXIT_OK;
    }
    const config = loadCliConfig(values as OptionValues, io);
    const to = typeof values.to === 'string' ? values.to : '';
    if (!/^postgres(ql)?:\/\//.test(to)) throw invalid('--to must be a postgres:// URL', 'to');
    if (config.database.url === to) throw invalid('--to is the store pgdir already uses', 'to');
    await requireNoDaemon(config, 'moving the store');
    const logger = createLogger({ level: 'warn', destination: 2, format: 'json', base: { part: 'cli' } });
    const source = await openStore({ url: config.database.url, dataDir: config.data_dir, logger, listen: false });
    try {
      const target = await openStore({ url: to, dataDir: config.data_dir, logger, listen: false });
      try {
        const rows = await restoreInto(target, await source.tables.dump(), { force: values.force === true });
        io.stdout.write(
          `copied ${rows['users'] ?? 0} users, ${rows['groups'] ?? 0} groups, ${rows['memberships'] ?? 0} memberships and ${rows['change_log'] ?? 0} change-log rows to ${maskUrl(to)}\n` +
            `next: set database.url to that database in the configuration and start pgdir serve\n`,
        );
      } finally {
        await target.close();
      }
    } finally {
      await source.close();
    }
    return EXIT_OK;
  },
};
