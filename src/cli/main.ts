import { ConfigError } from '../config/config-error.js';
import { DirectoryError } from '../domain/errors.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, processIo, type CliIo } from './cli-io.js';
import type { Command, CommandShape } from './command.js';
import { backupCommand } from './commands/backup.js';
import { certificateCommand } from './commands/certificate.js';
import { checkConfigCommand } from './commands/check-config.js';
import { completionCommand } from './commands/completion.js';
import { healthcheckCommand } from './commands/healthcheck.js';
import { managementGroup } from './commands/management.js';
import { ownerLoginCommand } from './commands/owner-login.js';
import { statusCommand } from './commands/status.js';
import { waitReadyCommand } from './commands/wait-ready.js';
import { CONNECTOR_COMMANDS, SYNC_COMMANDS } from './connector-commands.js';
import { DIRECTORY_COMMANDS } from './directory-commands.js';
import { GROUP_COMMANDS } from './group-commands.js';
import { CommandFailed } from './run-request.js';
import { UsageError } from './usage-error.js';
import { USER_COMMANDS } from './user-commands.js';
import { TEAM_COMMANDS, USER_PERMISSIONS_COMMAND } from './team-commands.js';
import { VERSION } from './version.js';

/**
 * A command whose module (and its heavy dependencies: store, LDAP server) loads only when run. Its
 * shape is given here so that completion and docs need not load it (test/cli/cli-reference.test.ts
 * checks it against the loaded command).
 */
const lazy = (shape: CommandShape, load: () => Promise<Command>): Command => ({
  ...shape,
  run: async (argv, io) => (await load()).run(argv, io),
});

/** Every command, in the order --help lists them; completion and docs/cli.md are generated from it. */
export const COMMANDS: readonly Command[] = [
  lazy({ name: 'serve', summary: 'run the directory server (foreground)', options: {} }, async () => (await import('./commands/serve.js')).serveCommand),
  lazy({ name: 'migrate', summary: 'apply database migrations', options: { status: { type: 'boolean' } } }, async () => (await import('./commands/migrate.js')).migrateCommand),
  backupCommand,
  lazy({ name: 'restore', summary: 'load a backup into an empty store', options: { force: { type: 'boolean' } }, positionals: ['FILE'] }, async () => (await import('./commands/restore.js')).restoreCommand),
  lazy({ name: 'migrate-store', summary: 'copy the embedded store into PostgreSQL (moving off PGlite)', options: { to: { type: 'string' }, force: { type: 'boolean' } } }, async () => (await import('./commands/migrate-store.js')).migrateStoreCommand),
  checkConfigCommand,
  healthcheckCommand,
  waitReadyCommand,
  statusCommand,
  certificateCommand,
  ownerLoginCommand,
  managementGroup('users', 'manage users', [...USER_COMMANDS, USER_PERMISSIONS_COMMAND]),
  managementGroup('groups', 'manage groups', GROUP_COMMANDS),
  managementGroup('teams', 'manage teams and permission levels', TEAM_COMMANDS),
  managementGroup('directory', 'manage the LDAP directory server (admin secret)', DIRECTORY_COMMANDS),
  managementGroup('sync', 'mirror users and groups from the external directory', SYNC_COMMANDS),
  managementGroup('connector', 'check the external directory connection', CONNECTOR_COMMANDS),
  completionCommand(() => COMMANDS),
];

export function topLevelHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: pgdir <command> [options]',
    '',
    'pgdir is an LDAP directory server backed by PostgreSQL (or an embedded PGlite).',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options for every command:',
    '  -c, --config FILE   configuration file (default: $PGDIR_CONFIG, else /etc/pgdir/pgdir.yaml if it exists)',
    '  -h, --help          show help for the command',
    '',
    'Options of pgdir itself:',
    '  -V, --version       print the version and exit',
    '',
    'Run "pgdir <command> --help" for details.',
    '',
  ].join('\n');
}

/** The CLI entry point (bin/pgdir.js): runs one command and returns its exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = hoistGlobalConfig(argv);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(topLevelHelp());
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    io.stdout.write(`pgdir ${VERSION}\n`);
    return EXIT_OK;
  }
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (command === undefined) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
    return await command.run(rest, io);
  } catch (err) {
    return reportError(err, io);
  }
}

/**
 * `-c/--config FILE` is documented as an option of every command, so it may stand anywhere:
 * `pgdir -c F users list`, `pgdir users -c F list` and `pgdir users list -c F` are the same. Every
 * occurrence moves to the end as `--config=FILE`, where each command's own option parser reads it
 * (the last one wins). Arguments after `--` are left alone.
 */
export function hoistGlobalConfig(argv: readonly string[]): readonly string[] {
  const rest: string[] = [];
  const config: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    const value = argv[i + 1];
    if ((arg === '-c' || arg === '--config') && value !== undefined) {
      config.push(`--config=${value}`);
      i += 1;
    } else if (arg.startsWith('--config=')) config.push(arg);
    else rest.push(arg);
  }
  if (config.length === 0) return argv;
  return rest.length === 0 ? argv : [...rest, ...config];
}

/** Prints one clear line (no stack trace) and picks the exit code: 2 for bad input, 1 otherwise. */
export function reportError(err: unknown, io: CliIo): number {
  if (err instanceof UsageError) {
    const hint = err.command === undefined ? 'pgdir --help' : `pgdir ${err.command} --help`;
    io.stderr.write(`pgdir: ${err.message}\nRun "${hint}" for usage.\n`);
    return EXIT_USAGE;
  }
  if (err instanceof ConfigError) {
    io.stderr.write(`pgdir: ${err.message}\n`);
    return EXIT_USAGE;
  }
  if (err instanceof CommandFailed) {
    io.stderr.write(`pgdir: ${err.message}\n`);
    return err.exitCode;
  }
  if (err instanceof DirectoryError) {
    io.stderr.write(`pgdir: ${err.message}\n`);
    return err.kind === 'invalid' ? EXIT_USAGE : EXIT_FAILURE;
  }
  io.stderr.write(`pgdir: ${err instanceof Error ? err.message : String(err)}\n`);
  return EXIT_FAILURE;
}
