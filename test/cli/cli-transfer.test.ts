import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { systemActor } from '../../src/domain/actor.js';
import { createDirectoryServices } from '../../src/directory/directory-services.js';
import { openStore } from '../../src/store/open-store.js';
import { createPGliteDataDir, createTempDir } from '../helpers/databases.js';
import { memoryIo } from '../helpers/memory-io.js';
import { runPgdir, spawnPgdir, startServe, waitReady, writeTestConfig, type ServeProcess } from '../helpers/pgdir-process.js';

/**
 * `pgdir users export` / `pgdir users import`: the HTTP transfer code behind CLI commands, run
 * locally (no daemon) and through a running daemon's control socket.
 */
type Dir = { path: string; remove(): Promise<void> };
let source: Dir;
let target: Dir;
let work: Dir;

const run = async (dataDir: string, argv: string[], input?: string) => {
  const env = { PGDIR_CONFIG: '', PGDIR_DATA_DIR: dataDir, PGDIR_BCRYPT__COST: '4' };
  const mem = memoryIo({ cwd: work.path, env, ...(input === undefined ? {} : { input }) });
  const code = await main(argv, mem.io);
  return { code, stdout: mem.stdout(), stderr: mem.stderr() };
};

/** Users with names a CSV must quote, non-ASCII, formula-like values, a disabled one, several roles. */
async function seed(dataDir: string): Promise<void> {
  const store = await openStore({ dataDir });
  try {
    const { users } = createDirectoryServices({ store, bcryptCost: 4 });
    const actor = systemActor();
    await users.addUser({ username: 'alice', email: 'alice@example.com', name: 'Alice "A" Smith, PhD', role: 'admin', password: 'alice password 1' }, actor);
    await users.addUser({ username: 'yamada', email: 'yamada@example.jp', name: '山田 太郎', role: 'usermanager' }, actor);
    await users.addUser({ username: 'mallory', email: '-mallory@example.com', name: '=HYPERLINK("http://evil.example","x")' }, actor);
    await users.addUser({ username: 'quinn', email: 'quinn@example.com', name: "'=already quoted" }, actor);
    const zed = await users.addUser({ username: 'zed', email: 'zed@example.com', name: '@zed +1' }, actor);
    await users.setActive(zed.id, false, actor);
    await store.write((tx) => tx.updateUser(zed.id, { fallbackEmail: 'zed@backup.example' }));
  } finally {
    await store.close();
  }
}

beforeAll(async () => {
  [source, target, work] = await Promise.all([createPGliteDataDir(), createPGliteDataDir(), createTempDir('pgdir-cli-transfer-')]);
  await seed(source.path);
});
afterAll(async () => {
  await Promise.all([source?.remove(), target?.remove(), work?.remove()]);
});

describe('pgdir users export / import without a daemon', { timeout: 60_000 }, () => {
  let csv = '';

  it('exports CSV (formulas neutralised) and JSON to stdout', async () => {
    const out = await run(source.path, ['users', 'export']);
    expect(out).toMatchObject({ code: 0, stderr: '' });
    csv = out.stdout;
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('id,username,email,fallback email,full name,role,active');
    expect(lines).toHaveLength(7); // header, five users, the empty string after the last CRLF
    expect(csv).toContain(`,alice,alice@example.com,,"Alice ""A"" Smith, PhD",admin,true\r\n`);
    expect(csv).toContain(`,mallory,'-mallory@example.com,,"'=HYPERLINK(""http://evil.example"",""x"")",user,true\r\n`);
    expect(csv).toContain(`,quinn,quinn@example.com,,''=already quoted,user,true\r\n`);
    expect(csv).toContain(`,zed,zed@example.com,zed@backup.example,'@zed +1,user,false\r\n`);
    const json = await run(source.path, ['users', 'export', '--format', 'json']);
    const users = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(users.map((u) => u.username)).toEqual(['alice', 'mallory', 'quinn', 'yamada', 'zed']);
    expect(users.find((u) => u.username === 'mallory')).toMatchObject({ email: '-mallory@example.com', fullName: '=HYPERLINK("http://evil.example","x")' });
  });

  it('import into an empty data directory reproduces the users exactly (CSV)', async () => {
    const file = join(work.path, 'users.csv');
    await writeFile(file, csv);
    const imported = await run(target.path, ['users', 'import', 'users.csv']);
    expect(imported).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(imported.stdout)).toEqual({ created: 5, errors: [] });
    expect((await run(target.path, ['users', 'export'])).stdout).toBe(csv);
    const store = await openStore({ dataDir: target.path });
    try {
      const zed = await store.findUserByUsername('zed');
      expect(zed).toMatchObject({ active: false, fallbackEmail: 'zed@backup.example', passwordHash: null, displayName: '@zed +1' });
      const audit = await store.listAudit({ action: 'users.import' });
      expect(audit.map((a) => [a.actor, a.details])).toEqual([['cli', { mode: 'atomic', created: 5, rejected: 0 }]]);
    } finally {
      await store.close();
    }
  });

  it('imports JSON from standard input the same way', async () => {
    const empty = await createPGliteDataDir();
    try {
      const json = (await run(source.path, ['users', 'export', '--format', 'json'])).stdout;
      const imported = await run(empty.path, ['users', 'import', '-', '--format', 'json'], json);
      expect(imported).toMatchObject({ code: 0 });
      expect(JSON.parse(imported.stdout)).toEqual({ created: 5, errors: [] });
      expect((await run(empty.path, ['users', 'export'])).stdout).toBe(csv);
    } finally {
      await empty.remove();
    }
  });

  const BAD = [
    'username,email,full name,role',
    'newbie,newbie@example.com,New Bie,user', // row 1: fine
    'alice,alice2@example.com,,user', // row 2: username taken in the directory
    'broken,not-an-email,,user', // row 3: bad email
    'extra,extra@example.com,"Extra"x,user', // row 4: text after a closing quote
    'newbie,newbie2@example.com,,user', // row 5: duplicate of row 1
  ].join('\n');

  it('atomic (default): bad rows write nothing, the report lists each by row and field, exit 1', async () => {
    await writeFile(join(work.path, 'bad.csv'), BAD);
    const before = (await run(target.path, ['users', 'export'])).stdout;
    const result = await run(target.path, ['users', 'import', 'bad.csv']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('pgdir: 4 problem(s) found; nothing was imported\n');
    const report = JSON.parse(result.stdout) as { created: number; errors: { row: number; field: string; message: string }[] };
    expect(report.created).toBe(0);
    expect(report.errors.map((e) => [e.row, e.field])).toEqual([[2, 'username'], [3, 'email'], [4, 'fullName'], [5, 'username']]);
    expect(report.errors[2]?.message).toMatch(/line 5: text after the closing quote of field 3/);
    expect((await run(target.path, ['users', 'export'])).stdout).toBe(before);
  });

  it('partial: the valid rows are written, still exit 1 with the report', async () => {
    const result = await run(target.path, ['users', 'import', 'bad.csv', '--mode', 'partial']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ created: 1, errors: { length: 4 } });
    expect(result.stderr).toBe('pgdir: 4 problem(s) found; 1 user(s) created, the rest skipped\n');
    const users = JSON.parse((await run(target.path, ['users', 'export', '--format', 'json'])).stdout) as { username: string }[];
    expect(users.map((u) => u.username)).toContain('newbie');
    expect(users.map((u) => u.username)).not.toContain('extra');
  });

  it('has help, and rejects bad usage with exit 2', async () => {
    for (const sub of ['import', 'export']) {
      const help = await run(target.path, ['users', sub, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: pgdir users ${sub}`));
    }
    expect((await run(target.path, ['users', '--help'])).stdout).toMatch(/pgdir users import .*\n.*pgdir users export/);
    const cases: [string[], RegExp][] = [
      [['users', 'import'], /missing <FILE>/],
      [['users', 'import', 'nope.csv'], /nope\.csv does not exist/],
      [['users', 'import', 'bad.csv', '--mode', 'all'], /--mode must be atomic or partial/],
      [['users', 'export', '--format', 'xml'], /--format must be csv or json/],
      [['users', 'import', '.'], /\. is not a file/],
    ];
    for (const [argv, message] of cases) {
      const result = await run(target.path, argv);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stderr, argv.join(' ')).toMatch(message);
    }
    await writeFile(join(work.path, 'header.csv'), 'user,mail\nx,x@example.com\n');
    const header = await run(target.path, ['users', 'import', 'header.csv']);
    expect(header.code).toBe(2);
    expect(header.stderr).toMatch(/the header has an unknown column "user"/);
  });
});

describe('pgdir users export / import through a running daemon', { timeout: 90_000 }, () => {
  let data: Dir;
  let config: string;
  let serve: ServeProcess | undefined;
  beforeAll(async () => {
    data = await createPGliteDataDir();
    config = await writeTestConfig(work.path, data.path);
    serve = startServe(config, work.path);
    await waitReady(serve, data.path);
  });
  afterAll(async () => {
    if (serve?.child.exitCode === null) serve.child.kill('SIGKILL');
    await serve?.exited;
    await data?.remove();
  });

  it('imports a file larger than a small control request, with non-ASCII names, and exports it', async () => {
    // Multi-byte characters everywhere, so that chunk boundaries of the socket split some of them.
    const users = Array.from({ length: 700 }, (_, i) => ({
      username: `user${i}`,
      email: `user${i}@example.com`,
      fullName: `Ünïcødé Nàmé 語 ${i} ${'ü'.repeat(80)}`,
      role: 'user',
    }));
    const file = join(work.path, 'many.json');
    await writeFile(file, JSON.stringify(users));
    expect((await readFile(file)).length).toBeGreaterThan(128 * 1024);
    const imported = await runPgdir(['users', 'import', file, '--config', config], { cwd: work.path });
    // Nothing but progress lines, which a non-TTY gets once an import runs past 2 s (progress-renderer.ts).
    expect(imported.stderr.split('\n').filter((l) => l !== '' && !/^pgdir: \w+ \d+\/\d+ \(\d+%\)/.test(l))).toEqual([]);
    expect(JSON.parse(imported.stdout)).toEqual({ created: 700, errors: [] });
    // Collected as bytes: decoding each pipe chunk on its own would split characters (runPgdir does).
    const child = spawnPgdir(['users', 'export', '--format', 'json', '--config', config], { cwd: work.path });
    child.stdin?.end();
    const chunks: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    const back = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { username: string; fullName: string }[];
    expect(back).toHaveLength(700);
    const names = new Set(back.map((u) => u.fullName));
    expect(users.filter((u) => !names.has(u.fullName)).map((u) => u.fullName)).toEqual([]);
    // Both ran in the daemon (it owns the PGlite database), not in the CLI process.
    const commands = serve?.logs().filter((l) => l.msg === 'control command done').map((l) => l.command);
    expect(commands).toEqual(expect.arrayContaining(['users.import', 'users.export']));
  });

  it('reports bad rows from the daemon the same way (atomic: nothing written)', async () => {
    const file = join(work.path, 'bad-daemon.csv');
    await writeFile(file, 'username,email\nfresh,fresh@example.com\nuser1,dup@example.com\n');
    const result = await runPgdir(['users', 'import', file, '--config', config], { cwd: work.path });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({ created: 0, errors: [{ row: 2, field: 'username', message: expect.stringContaining('user1') }] });
    const list = await runPgdir(['users', 'export', '--config', config], { cwd: work.path });
    expect(list.stdout).not.toContain('fresh@example.com');
  });
});
