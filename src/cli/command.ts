import type { ParseArgsConfig } from 'node:util';
import type { CliIo } from './cli-io.js';

/** Options in node:util parseArgs form (beyond -c/--config and -h/--help, which every command takes). */
export type CommandOptions = NonNullable<ParseArgsConfig['options']>;

/**
 * What --help, `pgdir completion` and docs/cli.md know about a command without running it: its
 * options, positional arguments and (for `pgdir users …`) subcommands. One table (cli/main.ts)
 * feeds all three, so they cannot disagree.
 */
export interface CommandShape {
  /** As typed: `serve`, or `users add` for a subcommand. */
  readonly name: string;
  readonly summary: string;
  readonly options?: CommandOptions;
  /** Names of the positional arguments, e.g. `USER`, `FILE`. */
  readonly positionals?: readonly string[];
}

/** A top-level command such as `serve` or `check-config`. Returns the exit code. */
export interface Command extends CommandShape {
  /** `pgdir users add`, … for a group such as `users`. */
  readonly subcommands?: readonly CommandShape[];
  run(argv: readonly string[], io: CliIo): Promise<number>;
}
