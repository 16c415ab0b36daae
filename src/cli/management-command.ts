import type { ParseArgsConfig } from 'node:util';
import type { CliIo } from './cli-io.js';

export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/**
 * A `pgdir users …` / `pgdir groups …` command: how its command line becomes a control request
 * (the same request runs in the daemon over the control socket or in this process against the
 * store), and how the result is shown.
 */
export interface ManagementCommand {
  /** As typed: `users add`. */
  readonly name: string;
  /** The control request's command: `users.add`. */
  readonly request: string;
  readonly summary: string;
  /** Lines after `Usage: pgdir <name>`. */
  readonly usage: string;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  readonly positionals: readonly string[];
  /** The fewest positionals accepted when flags can stand in for some (`teams grant --org`). */
  readonly minPositionals?: number;
  /** Use-case field → the flag or argument that supplies it, for error messages. */
  readonly fieldFlags?: Readonly<Record<string, string>>;
  /** Long work: the command gets `--progress` and shows progress on standard error (progress-renderer.ts). */
  readonly progress?: boolean;
  toArgs(values: OptionValues, positionals: readonly string[], io: CliIo): Promise<Record<string, unknown>>;
  /** Prints the result; may return an exit code (default 0), e.g. 1 for an import with errors. */
  render(result: unknown, values: OptionValues, io: CliIo): void | number;
}

export const str = (value: OptionValues[string]): string | undefined => (typeof value === 'string' ? value : undefined);
