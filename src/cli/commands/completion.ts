import { EXIT_OK, type CliIo } from '../cli-io.js';
import type { Command } from '../command.js';
import { bashCompletion } from '../completion/bash-completion.js';
import { completionModel, SHELLS, type Shell } from '../completion/completion-model.js';
import { fishCompletion } from '../completion/fish-completion.js';
import { zshCompletion } from '../completion/zsh-completion.js';
import { parseOptions } from '../parse-options.js';
import { UsageError } from '../usage-error.js';

const USAGE = `Usage: pgdir completion bash|zsh|fish

Prints a shell completion script for pgdir's commands, subcommands and options:
  bash   source <(pgdir completion bash)        or save it as /etc/bash_completion.d/pgdir
  zsh    source <(pgdir completion zsh)         after compinit, or save it as _pgdir on $fpath
  fish   pgdir completion fish | source         or save it as ~/.config/fish/completions/pgdir.fish
`;

const GENERATORS: Readonly<Record<Shell, typeof bashCompletion>> = { bash: bashCompletion, zsh: zshCompletion, fish: fishCompletion };

/** `pgdir completion SHELL`, from the same command table as --help (given lazily: it contains this command). */
export function completionCommand(table: () => readonly Command[]): Command {
  return {
    name: 'completion',
    summary: 'print a shell completion script (bash, zsh or fish)',
    options: {},
    positionals: ['SHELL'],
    async run(argv, io: CliIo) {
      const { values, positionals } = parseOptions(argv, { name: 'completion', options: {}, positionals: ['SHELL'] });
      if (values.help === true) {
        io.stdout.write(USAGE);
        return EXIT_OK;
      }
      const shell = positionals[0] as Shell;
      if (!SHELLS.includes(shell)) throw new UsageError(`unknown shell ${JSON.stringify(shell)}: use ${SHELLS.join(', ')}`, 'completion');
      io.stdout.write(GENERATORS[shell](completionModel(table())));
      return EXIT_OK;
    },
  };
}
