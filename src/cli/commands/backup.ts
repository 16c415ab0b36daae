import { resolve } from 'node:path';
import type { BackupSummary } from '../../directory/backup/backup-file.js';
import { EXIT_OK, type CliIo } from '../cli-io.js';
import type { Command } from '../command.js';
import { loadCliConfig } from '../load-cli-config.js';
import type { OptionValues } from '../management-command.js';
import { parseOptions } from '../parse-options.js';
import { runRequest } from '../run-request.js';

const USAGE = `Usage: pgdir backup FILE [--config FILE] [--json]

Writes a consistent snapshot of the directory to FILE (JSON, mode 0600): every user, group,
membership, setting, service account, token and log row as stored (ids, uid/gid numbers, password
hashes, sealed 2FA and SMTP secrets, timestamps) and the data-directory files those need
(totp.key, admin-secret). Treat it like the database: it holds password hashes and keys.
While pgdir serve runs, the daemon writes the file (it needs write access to FILE's directory);
otherwise this process reads the store itself. Restore with "pgdir restore FILE".
`;

export const backupCommand: Command = {
  name: 'backup',
  summary: 'write a consistent snapshot of the directory to a file',
  options: { json: { type: 'boolean' } },
  positionals: ['FILE'],
  async run(argv, io: CliIo) {
    const { values, positionals } = parseOptions(argv, { name: 'backup', options: { json: { type: 'boolean' } }, positionals: ['FILE'] });
    if (values.help === true) {
      io.stdout.write(USAGE);
      return EXIT_OK;
    }
    const config = loadCliConfig(values as OptionValues, io);
    const file = resolve(io.cwd, positionals[0] ?? '');
    const summary = (await runRequest(config, 'store.backup', { file, dataDir: config.data_dir })) as BackupSummary;
    if (values.json === true) io.stdout.write(`${JSON.stringify(summary)}\n`);
    else {
      const rows = summary.rows;
      io.stdout.write(`backup written to ${summary.file} (${summary.bytes} bytes): ${rows['users'] ?? 0} users, ${rows['groups'] ?? 0} groups, ${rows['memberships'] ?? 0} memberships, ${rows['settings'] ?? 0} settings\n`);
    }
    return EXIT_OK;
  },
};
