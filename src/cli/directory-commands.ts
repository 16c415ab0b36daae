import { generateSecret } from '../directory/auth/admin-secret.js';
import { loadCliConfig } from './load-cli-config.js';
import type { ManagementCommand } from './management-command.js';
import { readPasswordFromStdin } from './read-password.js';
import { UsageError } from './usage-error.js';

/**
 * `pgdir directory secret set --stdin | rotate`: changes the secret of cn=admin,ou=system (DESIGN
 * §3). The daemon (or this process) stores only its digest; `rotate` also rewrites
 * <data_dir>/admin-secret so `ldapsearch -y data/admin-secret` keeps working.
 */
export const DIRECTORY_COMMANDS: readonly ManagementCommand[] = [
  {
    name: 'directory secret',
    request: 'directory.secret-set',
    summary: 'set (--stdin) or rotate the directory admin secret',
    usage: [
      'directory secret set --stdin | directory secret rotate',
      '',
      '  set --stdin   read the new secret (16 to 1024 characters) from standard input',
      '  rotate        generate a new random secret, write it to <data_dir>/admin-secret and print it',
    ].join('\n'),
    options: { stdin: { type: 'boolean' } },
    positionals: ['ACTION'],
    fieldFlags: { secret: 'the secret' },
    async toArgs(values, [action], io) {
      const config = loadCliConfig(values, io);
      if (config.ldap.admin_password !== undefined) {
        throw new UsageError('the directory admin secret is pinned by ldap.admin_password_file in the configuration; change that file instead');
      }
      if (action === 'set') {
        if (values.stdin !== true) throw new UsageError('directory secret set needs --stdin (secrets are never taken from the command line)');
        return { secret: await readPasswordFromStdin(io), action, dataDir: config.data_dir };
      }
      if (action === 'rotate') return { secret: generateSecret(), action, dataDir: config.data_dir };
      throw new UsageError(`unknown action ${JSON.stringify(action)}: use "set --stdin" or "rotate"`);
    },
    render(result, _values, io) {
      const { action, path, secret } = result as { action: string; path?: string; secret?: string };
      if (action === 'rotate') io.stdout.write(`new directory admin secret (also written to ${path}):\n${secret}\n`);
      else io.stdout.write('directory admin secret changed\n');
    },
  },
];
