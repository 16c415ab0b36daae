import { EXIT_OK, EXIT_USAGE, type CliIo } from '../cli-io.js';
import type { Command } from '../command.js';
import { loadCliConfig } from '../load-cli-config.js';
import type { ManagementCommand, OptionValues } from '../management-command.js';
import { parseOptions } from '../parse-options.js';
import { createProgressRenderer, progressStyle } from '../progress-renderer.js';
import { CommandFailed, runRequest } from '../run-request.js';
import { UsageError } from '../usage-error.js';

/**
 * `pgdir users …` and `pgdir groups …`: parse, build the request, run it in the daemon or locally
 * (run-request.ts), print the result.
 */
export function managementGroup(group: string, summary: string, commands: readonly ManagementCommand[]): Command {
  const help = (): string => {
    const width = Math.max(...commands.map((c) => c.name.length));
    const lines = commands.map((c) => `  pgdir ${c.name.padEnd(width)}  ${c.summary}`);
    return `Usage:\n${lines.join('\n')}\n\nRun "pgdir ${group} <command> --help" for details.\n`;
  };
  return {
    name: group,
    summary,
    subcommands: commands,
    async run(argv, io) {
      const [sub, ...rest] = argv;
      // Options without a subcommand (`pgdir users --config F`): the group's help, as a usage error
      // unless help was asked for.
      if (sub === undefined || sub.startsWith('-')) {
        io.stdout.write(help());
        return argv.includes('--help') || argv.includes('-h') ? EXIT_OK : EXIT_USAGE;
      }
      const command = commands.find((c) => c.name === `${group} ${sub}`);
      if (command === undefined) throw new UsageError(`unknown command "${group} ${sub}"`, group);
      return runManagement(command, rest, io);
    },
  };
}

const PROGRESS_HELP = [
  '',
  '  --progress P auto (default): a bar on a terminal, else a plain line every 5 s once the',
  '               command has run 2 s; lines: start and end of each phase, at most one a',
  '               second between; bar; none. On standard error: stdout is unchanged.',
].join('\n');

async function runManagement(command: ManagementCommand, argv: readonly string[], io: CliIo): Promise<number> {
  const options = command.progress === true ? { ...command.options, progress: { type: 'string' as const } } : command.options;
  const parsed = parseOptions(argv, { name: command.name, options, positionals: command.positionals, ...(command.minPositionals === undefined ? {} : { minPositionals: command.minPositionals }) });
  const values = parsed.values as OptionValues;
  if (values.help === true) {
    const usage = command.progress === true && !command.usage.includes('--progress') ? `${command.usage}${PROGRESS_HELP}` : command.usage;
    io.stdout.write(`Usage: pgdir ${usage}\n\nOptions for every command: -c, --config FILE\n`);
    return EXIT_OK;
  }
  const style = command.progress === true ? progressStyle(values.progress, command.name) : 'none';
  const args = await command.toArgs(values, parsed.positionals, io);
  const config = loadCliConfig(values, io);
  const progress = createProgressRenderer(io.stderr, style);
  let result: unknown;
  try {
    result = await runRequest(config, command.request, args, progress.listener);
  } catch (err) {
    throw err instanceof CommandFailed ? new CommandFailed(err.wire, command.fieldFlags) : err;
  } finally {
    progress.finish();
  }
  return command.render(result, values, io) ?? EXIT_OK;
}
