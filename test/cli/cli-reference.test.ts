import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderCliReference } from '../../src/cli/cli-reference.js';
import { migrateCommand } from '../../src/cli/commands/migrate.js';
import { serveCommand } from '../../src/cli/commands/serve.js';
import { COMMANDS, main, topLevelHelp } from '../../src/cli/main.js';
import { VERSION } from '../../src/cli/version.js';
import { memoryIo } from '../helpers/memory-io.js';
import { REPO } from '../helpers/pgdir-process.js';

describe('docs/cli.md', () => {
  it('is what the command table generates (run "npm run docs:cli" after changing a command)', async () => {
    const committed = readFileSync(join(REPO, 'docs/cli.md'), 'utf8');
    const generated = await renderCliReference(COMMANDS, topLevelHelp());
    expect(committed, 'docs/cli.md is out of date: run "npm run docs:cli"').toBe(generated);
  });

  it('has a section with the --help text of every command and subcommand', async () => {
    const doc = readFileSync(join(REPO, 'docs/cli.md'), 'utf8');
    const names = COMMANDS.flatMap((c) => [c.name, ...(c.subcommands ?? []).map((s) => s.name)]);
    expect(names.length).toBeGreaterThan(25);
    for (const name of names) expect(doc, name).toContain(`\n## pgdir ${name}\n`);
    const mem = memoryIo({ cwd: REPO, env: { PGDIR_CONFIG: '' } });
    expect(await main(['users', 'import', '--help'], mem.io)).toBe(0);
    expect(doc).toContain(mem.stdout().trimEnd());
  });
});

describe('the command table', () => {
  it('declares the options of the lazily loaded commands as they parse them', () => {
    for (const loaded of [serveCommand, migrateCommand]) {
      const declared = COMMANDS.find((c) => c.name === loaded.name);
      expect(declared?.options, loaded.name).toEqual(loaded.options);
      expect(declared?.summary, loaded.name).toBe(loaded.summary);
    }
  });

  it('prints the version from package.json for --version, -V and version', async () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
    for (const flag of ['--version', '-V', 'version']) {
      const mem = memoryIo({ cwd: REPO });
      expect(await main([flag], mem.io)).toBe(0);
      expect(mem.stdout()).toBe(`pgdir ${pkg.version}\n`);
    }
  });
});
