import type { E2eDirectory } from './harness.js';
import type { CliResult } from './pgdir-runner.js';

/**
 * The directory every e2e suite starts from, made the way an operator would: `pgdir users add`,
 * `groups add`, `groups add-member`, `users disable` through the CLI, and the one field the CLI
 * cannot set (the fallback email) through the HTTP API as an admin user.
 *
 * Active users: alice, bob (role admin), carol (one-word name), dave (non-ASCII surname), erin (no
 * name given). mallory is disabled. Groups: eng {alice, bob}, ops {carol, dave}, empty {}.
 */
export interface SeededUser {
  readonly username: string;
  readonly email: string;
  readonly name: string;
  readonly role: string;
  /** The current password (tests that change it update it here). */
  password: string;
  id: string;
  /** The canonical entry DN `cn=uid-<id>,ou=users,<suffix>`. */
  dn: string;
  uidNumber: number;
  active: boolean;
}

interface SeedUser {
  username: string;
  email: string;
  name?: string;
  role?: string;
}

export const SEED_USERS: readonly SeedUser[] = [
  // The email is given in mixed case: the directory stores and emits it lower-cased (DESIGN §3).
  { username: 'alice', email: 'Alice@Example.com', name: 'Alice Liddell' },
  { username: 'bob', email: 'bob@example.com', name: 'Bob the Builder', role: 'admin' },
  { username: 'carol', email: 'carol@example.com', name: 'Carol' },
  { username: 'dave', email: 'dave@example.com', name: 'Dave Café' },
  { username: 'erin', email: 'erin@example.com' },
  { username: 'mallory', email: 'mallory@example.com', name: 'Mallory Moe' },
];
export const ACTIVE_USERNAMES = ['alice', 'bob', 'carol', 'dave', 'erin'] as const;
export const SEED_GROUPS: Readonly<Record<string, { description?: string; members: string[] }>> = {
  eng: { description: 'Engineers (core)', members: ['alice', 'bob'] },
  ops: { description: 'Operations', members: ['carol', 'dave'] },
  empty: { members: [] },
};
export const ALICE_FALLBACK_EMAIL = 'alice.alt@example.org';

export const passwordOf = (username: string): string => `${username}-Secret-1`;

function ok(what: string, result: CliResult): CliResult {
  if (result.code !== 0) throw new Error(`seeding: ${what} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  return result;
}

/** A bearer token for `user` from the HTTP API's login endpoint. */
export async function httpLogin(dir: E2eDirectory, user: SeededUser): Promise<string> {
  const login = await fetch(`${dir.httpUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ identifier: user.username, password: user.password }),
  });
  if (login.status !== 200) throw new Error(`HTTP login as ${user.username} answered ${login.status}: ${await login.text()}`);
  return ((await login.json()) as { token: string }).token;
}

async function setFallbackEmail(dir: E2eDirectory, admin: SeededUser, target: SeededUser): Promise<void> {
  const token = await httpLogin(dir, admin);
  const patch = await fetch(`${dir.httpUrl}/api/v1/users/${target.id}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ fallbackEmail: ALICE_FALLBACK_EMAIL }),
  });
  if (patch.status !== 200) throw new Error(`seeding: PATCH fallbackEmail answered ${patch.status}: ${await patch.text()}`);
}

export async function seedDirectory(dir: E2eDirectory): Promise<SeededUser[]> {
  await Promise.all(
    SEED_USERS.map((u) => {
      const args = ['users', 'add', '--username', u.username, '--email', u.email, '--password-stdin'];
      if (u.name !== undefined) args.push('--name', u.name);
      if (u.role !== undefined) args.push('--role', u.role);
      return dir.cli(args, `${passwordOf(u.username)}\n`).then((r) => ok(`users add ${u.username}`, r));
    }),
  );
  await Promise.all(
    Object.entries(SEED_GROUPS).map(([name, g]) =>
      dir.cli(['groups', 'add', name, ...(g.description === undefined ? [] : ['--description', g.description])]).then((r) => ok(`groups add ${name}`, r)),
    ),
  );
  const memberships = Object.entries(SEED_GROUPS).flatMap(([name, g]) => g.members.map((m) => [name, m] as const));
  await Promise.all(memberships.map(([g, m]) => dir.cli(['groups', 'add-member', g, m]).then((r) => ok(`groups add-member ${g} ${m}`, r))));
  ok('users disable mallory', await dir.cli(['users', 'disable', 'mallory']));

  const listed = JSON.parse(ok('users list', await dir.cli(['users', 'list', '--json'])).stdout) as {
    id: string;
    username: string;
    active: boolean;
    uidNumber: number;
  }[];
  const users = SEED_USERS.map((u): SeededUser => {
    const row = listed.find((l) => l.username === u.username);
    if (row === undefined) throw new Error(`seeding: users list lacks ${u.username}`);
    return {
      username: u.username,
      email: u.email.toLowerCase(),
      name: u.name ?? u.username,
      role: u.role ?? 'user',
      password: passwordOf(u.username),
      id: row.id,
      dn: `cn=uid-${row.id},ou=users,dc=example,dc=com`,
      uidNumber: row.uidNumber,
      active: row.active,
    };
  });
  const byName = (n: string) => users.find((u) => u.username === n) as SeededUser;
  await setFallbackEmail(dir, byName('bob'), byName('alice'));
  await waitForView(dir, byName('alice').dn);
  return users;
}

/** Waits (up to 5 s) until the LDAP view shows the last seeded change, so tests never race the seed. */
async function waitForView(dir: E2eDirectory, aliceDn: string): Promise<void> {
  const client = await dir.bound(dir.adminDn, dir.adminPassword);
  try {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const { searchEntries } = await client.search(aliceDn, { scope: 'base', attributes: ['mailAlternateAddress'] });
      if (searchEntries[0]?.['mailAlternateAddress'] !== undefined) return;
      if (Date.now() > deadline) throw new Error('seeding: mailAlternateAddress never appeared on alice over LDAP');
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await client.unbind();
  }
}
