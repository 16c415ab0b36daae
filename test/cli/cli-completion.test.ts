import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionModel } from '../../src/cli/completion/completion-model.js';
import { COMMANDS } from '../../src/cli/main.js';
import { createTempDir } from '../helpers/databases.js';
import { REPO, runPgdir } from '../helpers/pgdir-process.js';

/*
 * `pgdir completion bash|zsh|fish`, run through the real CLI process and loaded into the real
 * shells. bash and fish complete for real (COMPREPLY, `complete -C`); zsh's completion system
 * needs a terminal, so its function runs with compadd/_describe/_files replaced by printers.
 */

const has = (shell: string): boolean => spawnSync(shell, ['-c', 'true']).status === 0;
const hasZsh = has('zsh');
const hasFish = has('fish');

let dir: { path: string; remove(): Promise<void> };
const scripts: Record<string, string> = {};
beforeAll(async () => {
  dir = await createTempDir('pgdir-completion-');
  for (const shell of ['bash', 'zsh', 'fish']) {
    const result = await runPgdir(['completion', shell], { cwd: dir.path });
    expect(result.code, result.stderr).toBe(0);
    scripts[shell] = join(dir.path, `pgdir.${shell}`);
    await writeFile(scripts[shell]!, result.stdout);
  }
  await mkdir(join(dir.path, 'files'));
  await writeFile(join(dir.path, 'files', 'users.csv'), '');
  await writeFile(join(dir.path, 'files', 'users.json'), '');
}, 60_000);
afterAll(async () => {
  await dir.remove();
});

function shell(command: string, args: string[], input?: string): string {
  const result = spawnSync(command, args, { cwd: join(dir.path, 'files'), encoding: 'utf8', input, env: { ...process.env, HOME: dir.path } });
  expect(result.status, `${command}: ${result.stderr}`).toBe(0);
  expect(result.stderr).toBe('');
  return result.stdout;
}

/** COMPREPLY for the words typed so far (the last one is the word being completed). */
function bashComplete(...words: string[]): string[] {
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const out = shell('bash', ['-c', `source '${scripts.bash}'; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _pgdir; printf '%s\\n' "\${COMPREPLY[@]}"`]);
  return out.split('\n').filter((l) => l !== '');
}

describe('pgdir completion bash', () => {
  it('registers a completion function for pgdir when sourced from the command output', () => {
    // pgdir from the sources, as test/helpers/pgdir-process.ts runs it (no build needed).
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const pgdir = `'${process.execPath}' --import '${tsx}' '${join(REPO, 'test/helpers/pgdir-cli-entry.ts')}'`;
    const out = shell('bash', ['-c', `source <(${pgdir} completion bash) && complete -p pgdir`]);
    expect(out.trim()).toBe('complete -F _pgdir pgdir');
  });

  it('completes commands, subcommands, options, option values and files', () => {
    expect(bashComplete('pgdir', 'us')).toEqual(['users']);
    expect(bashComplete('pgdir', 'users', 'set')).toEqual(['set-password']);
    expect(bashComplete('pgdir', '-c', 'x.yaml', 'groups', 'add-')).toEqual(['add-member']);
    expect(bashComplete('pgdir', 'users', 'add', '--ro')).toEqual(['--role']);
    expect(bashComplete('pgdir', 'users', 'add', '--username', 'alice', '--em')).toEqual(['--email']);
    expect(bashComplete('pgdir', 'users', 'add', '--role', 'm')).toEqual(['mailmanager']);
    expect(bashComplete('pgdir', 'users', 'import', '--mode', '')).toEqual(['atomic', 'partial']);
    expect(bashComplete('pgdir', 'users', 'import', 'users.')).toEqual(['users.csv', 'users.json']);
    expect(bashComplete('pgdir', 'completion', '')).toEqual(['bash', 'zsh', 'fish']);
    expect(bashComplete('pgdir', '-')).toEqual(['--config', '-c', '--help', '-h', '--version', '-V']);
    expect(bashComplete('pgdir', 'migrate', '--')).toEqual(['--status', '--config', '--help']);
    // A user name is free text: no file names offered.
    expect(bashComplete('pgdir', 'users', 'disable', 'us')).toEqual([]);
  });

  it('offers every command of the table, so a new command cannot be forgotten', () => {
    expect(bashComplete('pgdir', '').filter((w) => !w.startsWith('-'))).toEqual(COMMANDS.map((c) => c.name));
  });
});

describe.runIf(hasZsh)('pgdir completion zsh', () => {
  it('parses, and registers _pgdir with compinit', () => {
    shell('zsh', ['-n', scripts.zsh!]);
    const out = shell('zsh', ['-f', '-c', `autoload -U compinit && compinit -u -d '${dir.path}/zcompdump'; source '${scripts.zsh}'; print -r -- \${_comps[pgdir]}`]);
    expect(out.trim()).toBe('_pgdir');
  });

  it('lists completions in a real interactive zsh (zpty)', () => {
    // An interactive zsh on a pseudo-terminal, Tab bound to list-choices: what a user sees.
    const script = [
      'zmodload zsh/zpty',
      "zpty -b z 'zsh -f -i'",
      `zpty -w z 'PROMPT=">"; autoload -U compinit; compinit -u -d ${dir.path}/zcompdump-pty; source ${scripts.zsh}; bindkey "^I" list-choices'`,
      'zpty -w -n z $\'pgdir users add --role \\t\'',
      'out=""; for i in {1..200}; do zpty -r -t z chunk && out+=$chunk; [[ $out == *mailmanager*usermanager* ]] && break; sleep 0.1; done',
      'zpty -d z',
      "print -r -- ${out//$'\\r'/}",
    ].join('\n');
    const out = shell('zsh', ['-f', '-c', script]).replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, ' ');
    // The list zsh prints under the command line (which it then redraws).
    const listed = out.split('\n').find((line) => line.includes('mailmanager')) ?? '';
    for (const role of ['user', 'usermanager', 'mailmanager', 'admin', 'owner']) expect(listed, out).toMatch(new RegExp(`\\b${role}\\b`));
  });

  it('offers subcommands with their summaries, option values and files', () => {
    const stubs = [
      'compdef() { :; }',
      'compadd() { [[ $1 == -- ]] && shift; print -r -- "compadd $*"; }',
      '_describe() { print -r -l -- "${(@P)${@[-1]}}"; }',
      '_files() { print files; }',
      '_message() { print -r -- "message $*"; }',
      `source '${scripts.zsh}'`,
      't() { words=("$@"); CURRENT=${#words}; PREFIX=${words[-1]}; _pgdir; }',
    ].join('\n');
    const run = (words: string): string => shell('zsh', ['-f', '-c', `${stubs}\nt ${words}`]);
    expect(run(`pgdir users ''`)).toContain("set-password:set a user's password (read from standard input)");
    expect(run(`pgdir users add --role ''`).trim()).toBe('compadd user usermanager mailmanager admin owner');
    expect(run(`pgdir -c x.yaml users import ''`).trim()).toBe('files');
    expect(run(`pgdir users add --e`).trim()).toBe('compadd --username --email --name --role --password-stdin --config -c --help -h');
  });
});

describe.runIf(hasFish)('pgdir completion fish', () => {
  const complete = (line: string): string[] =>
    shell('fish', ['-c', `source '${scripts.fish}'; complete -C '${line}'`])
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split('\t')[0]!);

  it('parses', () => {
    shell('fish', ['--no-execute', scripts.fish!]);
  });

  it('completes commands, subcommands, options, option values and files', () => {
    expect(complete('pgdir us')).toEqual(['users']);
    expect(complete('pgdir groups add-')).toEqual(['add-member']);
    expect(complete('pgdir users add --ro')).toEqual(['--role']);
    expect(complete('pgdir users add --role m')).toEqual(['mailmanager']);
    expect(complete('pgdir -c x.yaml users import users.')).toEqual(['users.csv', 'users.json']);
    expect(complete('pgdir completion ')).toEqual(['bash', 'fish', 'zsh']);
  });
});

describe('the completion model', () => {
  it('never has an option that takes a value in one command and is a switch in another', () => {
    const kinds = new Map<string, Set<boolean>>();
    for (const flag of completionModel(COMMANDS).nodes.flatMap((n) => n.flags)) {
      kinds.set(flag.long, (kinds.get(flag.long) ?? new Set()).add(flag.takesValue));
    }
    for (const [name, seen] of kinds) expect(seen.size, `--${name}`).toBe(1);
  });

  it('rejects an unknown shell with exit code 2', async () => {
    const result = await runPgdir(['completion', 'tcsh'], { cwd: dir.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown shell "tcsh": use bash, zsh, fish');
  });
});
