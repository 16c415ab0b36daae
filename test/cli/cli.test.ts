import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { createPGliteDataDir, createTempDir } from '../helpers/databases.js';
import { memoryIo } from '../helpers/memory-io.js';

let dir: { path: string; remove(): Promise<void> };
beforeAll(async () => {
  dir = await createTempDir('pgdir-cli-');
});
afterAll(async () => {
  await dir.remove();
});

async function run(argv: string[], options: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {}) {
  const mem = memoryIo({ cwd: options.cwd ?? dir.path, env: { PGDIR_CONFIG: '', ...options.env }, ...(options.input === undefined ? {} : { input: options.input }) });
  const code = await main(argv, mem.io);
  return { code, stdout: mem.stdout(), stderr: mem.stderr() };
}

describe('usage', () => {
  it('prints the command list, and exits 2 without a command', async () => {
    const none = await run([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toContain('Usage: pgdir <command>');
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['serve', 'migrate', 'check-config', 'healthcheck', 'users', 'groups']) expect(help.stdout).toContain(`  ${command}`);
  });

  it('has --help for every command and subcommand', async () => {
    const commands = [
      ['serve'], ['migrate'], ['check-config'], ['healthcheck'], ['status'],
      ['users', 'add'], ['users', 'list'], ['users', 'set-password'], ['users', 'disable'], ['users', 'enable'], ['users', 'delete'],
      ['groups', 'add'], ['groups', 'add-member'], ['groups', 'remove-member'], ['groups', 'list'], ['groups', 'delete'],
    ];
    for (const command of commands) {
      const result = await run([...command, '--help']);
      expect(result.code, command.join(' ')).toBe(0);
      expect(result.stdout, command.join(' ')).toMatch(/^Usage:/);
    }
    expect((await run(['users', '--help'])).stdout).toContain('pgdir users set-password');
  });

  it('rejects bad input with exit code 2 and a pointer to --help', async () => {
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /unknown command "frobnicate"/],
      [['users'], /Usage:/],
      [['users', 'rename'], /unknown command "users rename"/],
      [['users', 'add', '--email', 'a@b.c'], /--username is required/],
      [['users', 'add', '--username', 'a'], /--email is required/],
      [['users', 'add', '--username', 'a', '--email', 'a@b.c', '--password', 'x'], /unknown option '--password'/],
      [['users', 'disable'], /missing <USER>/],
      [['users', 'disable', 'a', 'b'], /unexpected argument "b"/],
      [['users', 'set-password', 'alice'], /--password-stdin is required/],
      [['groups', 'add-member', 'staff'], /missing <USER>/],
      [['healthcheck', '--timeout', 'soon'], /--timeout must be a positive number/],
    ];
    for (const [argv, message] of cases) {
      const result = await run(argv);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stderr + result.stdout, argv.join(' ')).toMatch(message);
    }
    expect((await run(['users', 'disable'])).stderr).toContain('Run "pgdir users disable --help" for usage.');
  });
});

describe('check-config', () => {
  it('exits 0 for a valid file and prints the effective config with secrets masked', async () => {
    const file = join(dir.path, 'ok.yaml');
    await writeFile(file, 'database: { url: "postgres://pgdir:hunter2@db/pgdir" }\nldap: { admin_password: "very secret admin pw" }\n');
    const result = await run(['check-config', '--config', file, '--print']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`configuration OK (${file})`);
    expect(result.stdout).toContain('postgres://pgdir:***@db/pgdir');
    expect(result.stdout).not.toContain('hunter2');
    expect(result.stdout).not.toContain('very secret admin pw');
  });

  it('exits 2 naming the key for unknown keys, bad values and malformed YAML', async () => {
    const file = join(dir.path, 'bad.yaml');
    await writeFile(file, 'ldap:\n  sufix: dc=x\n');
    const unknown = await run(['check-config', '-c', file]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(`pgdir: invalid configuration: ldap.sufix: unknown key (did you mean ldap.suffix?) (in ${file})\n`);
    await writeFile(file, 'ldap: [\n');
    const malformed = await run(['check-config', '-c', file]);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/invalid YAML at line \d+, column \d+/);
    const env = await run(['check-config'], { env: { PGDIR_HTTP__LISTEN: 'everywhere' } });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('http.listen: "everywhere" must be host:port');
  });
});

describe('management commands without a daemon (the CLI opens the store itself)', () => {
  let data: { path: string; remove(): Promise<void> };
  const env = (): NodeJS.ProcessEnv => ({ PGDIR_DATA_DIR: data.path, PGDIR_BCRYPT__COST: '4' });
  beforeAll(async () => {
    data = await createPGliteDataDir();
  });
  afterAll(async () => {
    await data.remove();
  });

  it('adds, lists, changes and deletes users and groups', async () => {
    const add = await run(['users', 'add', '--username', 'Alice', '--email', 'alice@example.com', '--name', 'Alice Liddell', '--password-stdin'], {
      env: env(),
      input: 'correct horse\n',
    });
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    expect(add.stdout).toMatch(/^created user alice \(uid 10000, id [0-9a-f-]{36}\)\n$/);
    expect((await run(['users', 'add', '--username', 'bob', '--email', 'bob@example.com', '--role', 'admin'], { env: env() })).code).toBe(0);

    const list = await run(['users', 'list', '--json'], { env: env() });
    const users = JSON.parse(list.stdout) as { username: string; email: string; role: string; active: boolean; displayName: string }[];
    expect(users.map((u) => [u.username, u.email, u.role, u.active])).toEqual([
      ['alice', 'alice@example.com', 'user', true],
      ['bob', 'bob@example.com', 'admin', true],
    ]);
    expect(JSON.stringify(users)).not.toMatch(/passwordHash|\$2b\$/);

    expect((await run(['groups', 'add', 'staff', '--description', 'Everyone on staff'], { env: env() })).stdout).toMatch(/^created group staff \(gid 10000/);
    expect((await run(['groups', 'add-member', 'staff', 'alice@example.com'], { env: env() })).stdout).toBe('added alice to staff\n');
    expect((await run(['groups', 'add-member', 'staff', 'alice'], { env: env() })).stdout).toBe('no change: alice is already a member of staff\n');
    expect((await run(['groups', 'add-member', 'staff', 'bob'], { env: env() })).code).toBe(0);
    const table = await run(['groups', 'list'], { env: env() });
    expect(table.stdout).toBe('NAME   GID    MEMBERS\nstaff  10000  alice,bob\n');
    expect((await run(['groups', 'remove-member', 'staff', 'bob'], { env: env() })).stdout).toBe('removed bob from staff\n');

    expect((await run(['users', 'disable', 'alice'], { env: env() })).stdout).toMatch(/^disabled user alice/);
    expect((await run(['users', 'list'], { env: env() })).stdout).toMatch(/alice\s+alice@example.com\s+Alice Liddell\s+user\s+no\s+10000/);
    expect((await run(['users', 'enable', 'alice'], { env: env() })).code).toBe(0);
    expect((await run(['users', 'set-password', 'alice', '--password-stdin'], { env: env(), input: 'another good one' })).stdout).toMatch(/^password set for user alice \(uid 10000/);
    expect((await run(['users', 'delete', 'bob'], { env: env() })).stdout).toMatch(/^deleted user bob/);
    expect((await run(['groups', 'delete', 'staff'], { env: env() })).stdout).toBe('deleted group staff\n');
    const after = JSON.parse((await run(['groups', 'list', '--json'], { env: env() })).stdout) as unknown[];
    expect(after).toEqual([]);
  });

  it('turns use-case errors into messages naming the flag, with exit 2 for invalid input and 1 otherwise', async () => {
    const cases: [string[], string | undefined, number, string][] = [
      [['users', 'add', '--username', 'carol', '--email', 'not-an-email'], undefined, 2, 'email "not-an-email" is not a valid email address (--email)'],
      [['users', 'add', '--username', 'root', '--email', 'root@example.com'], undefined, 2, 'username "root" is reserved (--username)'],
      [['users', 'add', '--username', 'carol', '--email', 'c@example.com', '--role', 'emperor'], undefined, 2, '(--role)'],
      [['users', 'add', '--username', 'carol', '--email', 'c@example.com', '--password-stdin'], 'short', 2, '(--password-stdin)'],
      [['users', 'set-password', 'nobody', '--password-stdin'], 'long enough pw', 1, 'no user "nobody"'],
      [['users', 'add', '--username', 'carol', '--email', 'c@example.com', '--password-stdin'], '', 2, 'no password on standard input'],
      [['users', 'delete', 'nobody'], undefined, 1, 'no user "nobody"'],
      [['groups', 'add', 'admins'], undefined, 1, 'group "admins" is built in'],
      [['groups', 'add', 'bad name!'], undefined, 2, '(NAME)'],
      [['groups', 'delete', 'ghosts'], undefined, 1, 'no group "ghosts"'],
    ];
    for (const [argv, input, code, message] of cases) {
      const result = await run(argv, { env: env(), ...(input === undefined ? {} : { input }) });
      expect(result.stderr, argv.join(' ')).toContain(message);
      expect(result.code, argv.join(' ')).toBe(code);
    }
    const first = await run(['users', 'add', '--username', 'dave', '--email', 'dave@example.com'], { env: env() });
    expect(first.code).toBe(0);
    const duplicate = await run(['users', 'add', '--username', 'DAVE', '--email', 'other@example.com'], { env: env() });
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toMatch(/^pgdir: .*dave.*\(--username\)\n$/);
  });
  it('takes -c/--config before the command as well as after it', async () => {
    const file = join(dir.path, 'global-config.yaml');
    await writeFile(file, `data_dir: ${JSON.stringify(data.path)}\nbcrypt: { cost: 4 }\n`);
    const noEnv = {};
    const before = await run(['-c', file, 'users', 'add', '--username', 'erin', '--email', 'erin@example.com'], { env: noEnv });
    expect(before.stderr).toBe('');
    expect(before.stdout).toMatch(/^created user erin /);
    const equals = await run([`--config=${file}`, 'users', 'list', '--json'], { env: noEnv });
    expect(equals.stderr).toBe('');
    expect((JSON.parse(equals.stdout) as { username: string }[]).map((u) => u.username)).toContain('erin');
    const after = await run(['users', 'delete', 'erin', '--config', file], { env: noEnv });
    expect(after.stdout).toMatch(/^deleted user erin/);
    const between = await run(['users', '-c', file, 'list', '--json'], { env: noEnv });
    expect(between.stderr).toBe('');
    expect((JSON.parse(between.stdout) as { username: string }[]).map((u) => u.username)).toContain('dave'); // the data_dir of the file
    const groupHelp = await run(['-c', file, 'users', '--help'], { env: noEnv });
    expect(groupHelp.code).toBe(0);
    expect(groupHelp.stdout).toContain('pgdir users add');
    const bare = await run(['-c', file, 'users'], { env: noEnv });
    expect(bare.code).toBe(2);
    expect(bare.stdout).toContain('pgdir users list');
    const topHelp = await run(['-c', file, '--help'], { env: noEnv });
    expect(topHelp.code).toBe(0);
    expect(topHelp.stdout).toContain('Usage: pgdir <command>');
    const missing = await run(['-c', join(dir.path, 'nope.yaml'), 'users', 'list'], { env: noEnv });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.yaml');
  });
});

describe('migrate', () => {
  it('applies pending migrations once and reports their status (embedded database)', async () => {
    const data = await createPGliteDataDir({ migrated: false });
    try {
      const env = { PGDIR_DATA_DIR: data.path };
      const status = await run(['migrate', '--status'], { env });
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(/^pending {2}0001_/m);
      const first = await run(['migrate'], { env });
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/^applied \d+ migration\(s\): 0001_/);
      expect((await run(['migrate'], { env })).stdout).toBe('database is up to date\n');
      expect((await run(['migrate', '--status'], { env })).stdout).not.toMatch(/pending/);
    } finally {
      await data.remove();
    }
  });

  it('works against PostgreSQL, and reports an unreachable one as a runtime error', async () => {
    const { createTestDatabase } = await import('../helpers/databases.js');
    const database = await createTestDatabase();
    try {
      const env = { PGDIR_DATABASE__URL: database.url, PGDIR_DATA_DIR: dir.path };
      expect((await run(['migrate'], { env })).stdout).toMatch(/^applied \d+ migration\(s\)/);
      expect((await run(['migrate'], { env })).stdout).toBe('database is up to date\n');
    } finally {
      await database.drop();
    }
    const down = await run(['users', 'list'], { env: { PGDIR_DATABASE__URL: 'postgres://postgres@127.0.0.1:1/none', PGDIR_DATA_DIR: dir.path } });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^pgdir: cannot open PostgreSQL: /);
  });
});
