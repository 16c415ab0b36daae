import { checkConfigFiles } from '../../config/check-files.js';
import { formatDuration } from '../../config/duration.js';
import type { Config } from '../../config/schema.js';
import { checkServiceConfig } from '../../app/check-service-config.js';
import { checkSealingKeyOffline } from '../../app/check-sealing-key.js';
import { maskUrl } from '../../log/mask-url.js';
import { EXIT_OK, type CliIo } from '../cli-io.js';
import type { Command, CommandOptions } from '../command.js';
import { loadCliConfigFile } from '../load-cli-config.js';
import type { OptionValues } from '../management-command.js';
import { parseOptions } from '../parse-options.js';

const USAGE = `Usage: pgdir check-config [--config FILE] [--print]

Loads the configuration the way "pgdir serve" would (file, PGDIR_* variables, *_file secrets),
reports the first problems with the keys that cause them (including TLS files that cannot be
read or do not match, and a totp.key that does not open the directory's sealed secrets), and
exits 0 when it is valid.
  --print   also print the effective configuration (secrets masked)
`;

const CHECK_CONFIG_OPTIONS = { print: { type: 'boolean' } } as const satisfies CommandOptions;

export const checkConfigCommand: Command = {
  name: 'check-config',
  summary: 'validate the configuration and exit',
  options: CHECK_CONFIG_OPTIONS,
  async run(argv, io: CliIo) {
    const { values } = parseOptions(argv, { name: 'check-config', options: CHECK_CONFIG_OPTIONS });
    if (values.help === true) {
      io.stdout.write(USAGE);
      return EXIT_OK;
    }
    const { config, path } = loadCliConfigFile(values as OptionValues, io);
    checkConfigFiles(config);
    // The connector parses its own section (config/schema.ts checks only that it is a mapping):
    // a misspelt key fails here as it fails `serve`, with exit 2 naming connector.<key>.
    checkServiceConfig(config);
    // totp.key against the directory's sealed secrets, as `serve` checks it (read-only here).
    const note = await checkSealingKeyOffline(config);
    io.stdout.write(`configuration OK (${path ?? 'no file: defaults and PGDIR_* variables'})\n`);
    if (note !== undefined) io.stdout.write(`${note}\n`);
    if (values.print === true) io.stdout.write(`${JSON.stringify(printable(config), null, 2)}\n`);
    return EXIT_OK;
  },
};

const mask = (value: unknown): unknown => (value === undefined ? undefined : '***');

const maskOAuth2 = (o: NonNullable<Config['smtp']>['oauth2']): unknown =>
  o === undefined ? undefined : { ...o, client_secret: mask(o.client_secret), refresh_token: mask(o.refresh_token) };

function printable(config: Config): unknown {
  return {
    ...config,
    shutdown_timeout: formatDuration(config.shutdown_timeout),
    database: { url: config.database.url === undefined ? undefined : maskUrl(config.database.url) },
    ldap: { ...config.ldap, admin_password: mask(config.ldap.admin_password) },
    smtp: config.smtp === undefined ? undefined : { ...config.smtp, password: mask(config.smtp.password), oauth2: maskOAuth2(config.smtp.oauth2) },
    connector: config.connector === undefined ? undefined : { ...config.connector, bind_password: mask(config.connector.bind_password) },
  };
}
