import { EXIT_OK, type CliIo } from '../cli-io.js';
import type { Command, CommandOptions } from '../command.js';
import { loadCliConfig } from '../load-cli-config.js';
import type { OptionValues } from '../management-command.js';
import { parseOptions } from '../parse-options.js';
import { runRequest } from '../run-request.js';

const USAGE = `Usage: pgdir owner-login [--config FILE]

Prints a one-time password for the owner account: it signs in once (API login or LDAP bind),
bypassing two-factor authentication, within one hour. Run on the server to recover an owner who
lost their password or authenticator; works with the daemon running or stopped. Audited.
`;

/** `pgdir owner-login` (DESIGN §7): owner recovery from the server's shell. */
const OWNER_LOGIN_OPTIONS = {} as const satisfies CommandOptions;

export const ownerLoginCommand: Command = {
  name: 'owner-login',
  summary: 'print a one-time password for the owner (recovery; bypasses 2FA)',
  options: OWNER_LOGIN_OPTIONS,
  async run(argv, io: CliIo) {
    const { values } = parseOptions(argv, { name: 'owner-login', options: OWNER_LOGIN_OPTIONS });
    if (values.help === true) {
      io.stdout.write(USAGE);
      return EXIT_OK;
    }
    const config = loadCliConfig(values as OptionValues, io);
    const result = (await runRequest(config, 'users.owner-login', {})) as { username: string; password: string; expiresAt: string };
    io.stdout.write(`one-time password for owner ${result.username} (valid once, until ${result.expiresAt}):\n${result.password}\n`);
    return EXIT_OK;
  },
};
