import type { CliIo } from './cli-io.js';

/** A top-level command such as `serve` or `check-config`. Returns the exit code. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  run(argv: readonly string[], io: CliIo): Promise<number>;
}
