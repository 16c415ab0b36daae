import { execFile } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPGliteDataDir, createTestDatabase } from '../../helpers/databases.js';
import { daemonStatus, runPgdir, startServe, waitFor, writeTestConfig, type ServeProcess } from '../../helpers/pgdir-process.js';

const run = promisify(execFile);
const SUFFIX = 'dc=example,dc=com';

/**
 * `pgdir backup` / `pgdir restore` / `pgdir migrate-store` with real `pgdir serve` processes: the
 * LDAP dump (ldapsearch, every entry with all user and operational attributes) is the same before
 * and after, so ids, uid/gid numbers, timestamps and memberships survived; passwords and the
 * admin secret still work; the sealed TOTP secret is still readable with the restored key.
 */
interface Site {
  dir: { path: string; remove(): Promise<void> };
  config: string;
  serve?: ServeProcess;
}

async function site(extra = ''): Promise<Site> {
  // A copy of the initdb template: a fresh PGlite initdb takes seconds on a loaded machine.
  const dir = await createPGliteDataDir();
  return { dir, config: await writeTestConfig(dir.path, dir.path, extra) };
}

const cli = async (s: Site, args: string[], input?: string) => runPgdir([...args, '--config', s.config], { cwd: s.dir.path, ...(input === undefined ? {} : { input }) });

async function start(s: Site): Promise<void> {
  const serve = startServe(s.config, s.dir.path);
  s.serve = serve;
  await waitFor('daemon ready', async () => {
    if (serve.child.exitCode !== null) throw new Error(`pgdir serve exited:\n${serve.output()}`);
    return (await daemonStatus(s.dir.path))?.state === 'ready' ? true : undefined;
  }, 120_000);
}

async function stop(s: Site): Promise<void> {
  if (s.serve === undefined || s.serve.child.exitCode !== null) return;
  s.serve.child.kill('SIGTERM');
  await s.serve.exited;
}

/** The whole tree as ldapsearch prints it, bound as the directory admin over LDAPS. */
async function ldapDump(s: Site, bind?: { dn: string; password: string }): Promise<string> {
  const yaml = await readFile(s.config, 'utf8');
  const port = /ldaps:\/\/127\.0\.0\.1:(\d+)/.exec(yaml)?.[1];
  const auth = bind === undefined ? ['-D', `cn=admin,ou=system,${SUFFIX}`, '-y', join(s.dir.path, 'admin-secret')] : ['-D', bind.dn, '-w', bind.password];
  const { stdout } = await run('ldapsearch', ['-LLL', '-o', 'ldif-wrap=no', '-H', `ldaps://127.0.0.1:${port}`, ...auth, '-b', SUFFIX, '-s', 'sub', '(objectClass=*)', '*', '+'], {
    env: { ...process.env, LDAPTLS_CACERT: join(s.dir.path, 'tls', 'cert.pem') },
  });
  return stdout;
}

async function seed(s: Site): Promise<void> {
  for (const [name, role] of [['alice', 'owner'], ['bob', 'user'], ['carol', 'admin']] as const) {
    const add = await cli(s, ['users', 'add', '--username', name, '--email', `${name}@example.com`, '--name', `${name} Example`, '--role', role, '--password-stdin'], `${name} password 123`);
    expect(add.stderr).toBe('');
  }
  await cli(s, ['users', 'add', '--username', 'invitee', '--email', 'invitee@example.com']);
  await cli(s, ['groups', 'add', 'staff']);
  await cli(s, ['groups', 'add-member', 'staff', 'alice']);
  await cli(s, ['groups', 'add-member', 'staff', 'bob']);
  await cli(s, ['users', 'disable', 'carol']);
}

describe('backup, restore and migrate-store', { timeout: 240_000 }, () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });
  const track = (s: Site): Site => {
    cleanups.push(async () => {
      await stop(s);
      await s.dir.remove();
    });
    return s;
  };

  let source: Site;
  let before: string;
  let file: string;

  beforeAll(async () => {
    source = track(await site());
    await start(source);
    await seed(source);
    before = await ldapDump(source);
    expect(before).toContain('uid: alice');
    file = join(source.dir.path, 'out', 'directory.backup.json');
    // While the daemon runs, it writes the backup itself (it holds the embedded store).
    const backup = await cli(source, ['backup', file]);
    expect(backup.stderr).toBe('');
    expect(backup.stdout).toMatch(/^backup written to .*directory\.backup\.json \(\d+ bytes\): 4 users, 1 groups, 2 memberships/);
    expect(((await stat(file)).mode & 0o777).toString(8)).toBe('600');
    await stop(source);
  });

  it('restores into an empty embedded store: same LDAP answers, passwords and admin secret still work', async () => {
    const target = track(await site());
    const restored = await cli(target, ['restore', file]);
    expect(restored.stderr).toBe('');
    expect(restored.stdout).toMatch(/^restored 4 users, 1 groups, 2 memberships from .* into the embedded store/);
    expect(await readFile(join(target.dir.path, 'admin-secret'), 'utf8')).toBe(await readFile(join(source.dir.path, 'admin-secret'), 'utf8'));
    await start(target);
    expect(await ldapDump(target)).toBe(before);
    const alice = await ldapDump(target, { dn: `uid=alice,ou=users,${SUFFIX}`, password: 'alice password 123' });
    expect(alice).toContain('uid: alice');
    // A second restore into the now non-empty store is refused while serve runs, and afterwards without --force.
    expect((await cli(target, ['restore', file])).stderr).toContain('pgdir serve is running');
    await stop(target);
    const again = await cli(target, ['restore', file]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('already holds users, groups or service accounts');
    const forced = await cli(target, ['restore', file, '--force']);
    expect(forced.code).toBe(0);
  });

  it('restores into PostgreSQL and migrate-store moves the embedded store there with the same answers', async () => {
    const [db1, db2] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    cleanups.push(() => db1.drop(), () => db2.drop());
    const pg = track(await site(`database:\n  url: ${JSON.stringify(db1.url)}\n`));
    expect((await cli(pg, ['restore', file])).stdout).toContain('into the PostgreSQL store');
    await start(pg);
    expect(await ldapDump(pg)).toBe(before);
    await stop(pg);

    // migrate-store: the source's own data_dir, now pointed at PostgreSQL afterwards.
    const moved = await cli(source, ['migrate-store', '--to', db2.url]);
    expect(moved.stderr).toBe('');
    expect(moved.stdout).toMatch(/^copied 4 users, 1 groups, 2 memberships and \d+ change-log rows to postgres:\/\//);
    const again = await cli(source, ['migrate-store', '--to', db2.url]);
    expect(again.stderr).toContain('already holds users');
    await writeFile(source.config, `${await readFile(source.config, 'utf8')}database:\n  url: ${JSON.stringify(db2.url)}\n`);
    await start(source);
    expect(await ldapDump(source)).toBe(before);
    await stop(source);
  });

  it('refuses files that are not backups, damaged ones, and backups from a newer pgdir', async () => {
    const target = track(await site());
    const bad = join(target.dir.path, 'bad.json');
    await writeFile(bad, 'not json');
    expect((await cli(target, ['restore', bad])).stderr).toContain('is not a pgdir backup (not JSON)');
    await writeFile(bad, JSON.stringify({ format: 'something-else' }));
    expect((await cli(target, ['restore', bad])).stderr).toContain('is not a pgdir backup');
    const newer = JSON.parse(await readFile(file, 'utf8')) as { migrations: string[] };
    newer.migrations.push('9999-from-the-future');
    await writeFile(bad, JSON.stringify(newer));
    const refused = await cli(target, ['restore', bad]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('comes from a newer pgdir (migrations 9999-from-the-future)');
    expect((await cli(target, ['restore', join(target.dir.path, 'missing.json')])).stderr).toContain('cannot read the backup');
  });
});
