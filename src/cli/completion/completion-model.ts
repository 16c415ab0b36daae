import { ROLES } from '../../domain/model.js';
import type { Command, CommandShape } from '../command.js';
import { COMMON_OPTIONS } from '../parse-options.js';

/** The shells `pgdir completion` writes a script for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** What a value may be: a file name, one of a few words, or free text (no completion). */
export type ValueKind = 'file' | readonly string[] | 'text';

export interface Flag {
  /** Without dashes: `config`. */
  readonly long: string;
  readonly short?: string;
  readonly takesValue: boolean;
  readonly values: ValueKind;
}

/** A command line that completes the same way: `` (pgdir itself), `users`, `users add`. */
export interface CompletionNode {
  readonly path: string;
  /** The words that may come next (subcommands), with their summaries. */
  readonly words: readonly { readonly name: string; readonly summary: string }[];
  readonly flags: readonly Flag[];
  /** What each positional argument takes, in order. */
  readonly positionals: readonly ValueKind[];
}

export interface CompletionModel {
  readonly nodes: readonly CompletionNode[];
  /** Commands whose next word is a subcommand (`users`, `groups`, …). */
  readonly groups: readonly string[];
  /** Every flag that takes a value, anywhere: the word after it is never a command. */
  readonly valueFlags: readonly Flag[];
}

/**
 * Values by option or positional name. An option means the same in every command that has it
 * (test/cli/cli-completion.test.ts checks that no name is a value in one command and a switch in another).
 */
const VALUES: Readonly<Record<string, ValueKind>> = {
  config: 'file',
  FILE: 'file',
  format: ['csv', 'json'],
  mode: ['atomic', 'partial'],
  role: ROLES,
  SHELL: SHELLS,
  ACTION: ['set', 'rotate'],
};

const valuesOf = (name: string, takesValue = true): ValueKind => (takesValue ? (VALUES[name] ?? 'text') : 'text');

function flagsOf(shape: CommandShape | undefined, top: boolean): Flag[] {
  const options = { ...(shape?.options ?? {}), ...COMMON_OPTIONS };
  const flags = Object.entries(options).map(([long, o]): Flag => {
    const takesValue = o.type === 'string';
    return { long, ...(o.short === undefined ? {} : { short: o.short }), takesValue, values: valuesOf(long, takesValue) };
  });
  return top ? [...flags, { long: 'version', short: 'V', takesValue: false, values: 'text' }] : flags;
}

const node = (path: string, shape: CommandShape | undefined, words: CompletionNode['words'], top = false): CompletionNode => ({
  path,
  words,
  flags: flagsOf(shape, top),
  positionals: (shape?.positionals ?? []).map((p) => valuesOf(p)),
});

/** The completion model of a command table: one node per command and subcommand. */
export function completionModel(commands: readonly Command[]): CompletionModel {
  const nodes: CompletionNode[] = [node('', undefined, commands, true)];
  for (const command of commands) {
    const subs = command.subcommands ?? [];
    const words = subs.map((s) => ({ name: s.name.slice(command.name.length + 1), summary: s.summary }));
    nodes.push(node(command.name, command, words));
    for (const sub of subs) nodes.push(node(sub.name, sub, []));
  }
  const valueFlags = new Map<string, Flag>();
  for (const flag of nodes.flatMap((n) => n.flags)) if (flag.takesValue) valueFlags.set(flag.long, flag);
  return {
    nodes,
    groups: commands.filter((c) => c.subcommands !== undefined).map((c) => c.name),
    valueFlags: [...valueFlags.values()],
  };
}

/** `--config` and `-c`. */
export const spellings = (flag: Flag): string[] => [`--${flag.long}`, ...(flag.short === undefined ? [] : [`-${flag.short}`])];

/** A word in single quotes for bash and zsh. */
export const shQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;
