import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './usage-error.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every command accepts. */
export const COMMON_OPTIONS = {
  config: { type: 'string', short: 'c' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

export interface CommandSpec<O extends Options> {
  /** e.g. `users add`, for messages. */
  readonly name: string;
  readonly options: O;
  /** Names of the required positional arguments, in order. */
  readonly positionals?: readonly string[];
  /** When some positionals are optional (flags stand in for them): the fewest accepted. */
  readonly minPositionals?: number;
}

/**
 * node:util parseArgs in strict mode, with its errors turned into UsageError and the positional
 * count checked, so that every command reports bad input the same way (exit code 2).
 */
export function parseOptions<O extends Options>(argv: readonly string[], spec: CommandSpec<O>) {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: { ...COMMON_OPTIONS, ...spec.options }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(cleanParseError(err), spec.name);
  }
  const expected = spec.positionals ?? [];
  if ((parsed.values as Record<string, unknown>).help !== true) {
    if (parsed.positionals.length < (spec.minPositionals ?? expected.length)) {
      throw new UsageError(`missing ${expected.slice(parsed.positionals.length).map((p) => `<${p}>`).join(' ')}`, spec.name);
    }
    if (parsed.positionals.length > expected.length) {
      throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[expected.length])}`, spec.name);
    }
  }
  return parsed;
}

function cleanParseError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  // parseArgs appends advice about '--' that does not apply to pgdir's commands.
  return message.replace(/\. To specify a positional argument.*$/s, '').replace(/^Unknown option/, 'unknown option');
}
