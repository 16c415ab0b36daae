import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createPGliteDataDir, createTempDir } from '../helpers/databases.js';
import { cleanEnv, daemonStatus, freePort, runPgdir, startServe, waitFor, type ServeProcess } from '../helpers/pgdir-process.js';

/**
 * One real `pgdir serve` (LDAPS on a loopback port, embedded PGlite) with the users, groups and
 * service account a client recipe needs, made through the CLI and the HTTP API as an operator
 * would, and the certificate written with `pgdir certificate` to a file the client reads.
 *
 * Users: alice (Alice Liddell), bob (Bob Builder), carol (Carol Cole), passwords `<name>-Secret-1`; `ops` (role admin)
 * only signs in to the HTTP API to create the service account.
 */
export const SUFFIX = 'dc=example,dc=com';
export const passwordOf = (name: string): string => `${name}-Secret-1`;

export interface ClientUser {
  readonly username: string;
  readonly password: string;
  readonly dn: string;
  readonly uidNumber: number;
  readonly email: string;
}

export interface ClientDirectory {
  readonly dir: string;
  readonly port: number;
  readonly url: string;
  readonly caFile: string;
  readonly serviceDn: string;
  readonly serviceSecret: string;
  readonly users: Readonly<Record<Person, ClientUser>>;
  readonly serve: ServeProcess;
  /** Runs the CLI against this daemon. */
  cli(args: readonly string[], input?: string): Promise<string>;
  stop(): Promise<void>;
}

export interface DirectoryOptions {
  /** The service account the client binds as (`cn=<name>,ou=system,…`). */
  readonly service: string;
  /** Groups to create and their members. */
  readonly groups: Readonly<Record<string, readonly string[]>>;
  /** More lines under `ldap:` (two-space indented). */
  readonly ldapExtra?: readonly string[];
}

const PEOPLE = [
  { username: 'alice', name: 'Alice Liddell' },
  { username: 'bob', name: 'Bob Builder' },
  { username: 'carol', name: 'Carol Cole' },
] as const;
type Person = (typeof PEOPLE)[number]['username'];

export async function startClientDirectory(options: DirectoryOptions): Promise<ClientDirectory> {
  const tmp = await createTempDir('pgdir-client-');
  // A copy of an initialised PGlite cluster: initdb alone takes tens of seconds on a loaded machine.
  const data = await createPGliteDataDir();
  const dataDir = data.path;
  const [port, httpPort] = [await freePort(), await freePort()];
  const configFile = join(tmp.path, 'pgdir.yaml');
  await writeFile(configFile, configYaml(dataDir, port, httpPort, options.ldapExtra ?? []));
  const serve = startServe(configFile, tmp.path);
  const stop = async (): Promise<void> => {
    if (serve.child.exitCode === null && serve.child.signalCode === null) serve.child.kill('SIGTERM');
    await serve.exited;
    await Promise.all([tmp.remove(), data.remove()]);
  };
  try {
    await waitServeReady(serve, dataDir);
    const env = cleanEnv({ PGDIR_CONFIG: configFile });
    const cli = async (args: readonly string[], input?: string): Promise<string> => {
      const r = await runPgdir(args, { cwd: tmp.path, env, ...(input === undefined ? {} : { input }) });
      if (r.code !== 0) throw new Error(`pgdir ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
      return r.stdout;
    };
    const users = await seed(cli, options);
    const service = await createServiceAccount(httpPort, options.service);
    const caFile = join(tmp.path, 'pgdir-ca.pem');
    await writeFile(caFile, await cli(['certificate']));
    return {
      dir: tmp.path,
      port,
      url: `ldaps://127.0.0.1:${port}`,
      caFile,
      serviceDn: `cn=${options.service},ou=system,${SUFFIX}`,
      serviceSecret: service,
      users,
      serve,
      cli,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Like waitReady, with room for a loaded machine (the first start migrates the database). */
async function waitServeReady(serve: ServeProcess, dataDir: string): Promise<void> {
  await waitFor(
    'pgdir serve ready',
    async () => {
      if (serve.child.exitCode !== null) throw new Error(`pgdir serve exited ${serve.child.exitCode}:\n${serve.output()}`);
      return (await daemonStatus(dataDir))?.state === 'ready' ? true : undefined;
    },
    120_000,
  );
}

function configYaml(dataDir: string, port: number, httpPort: number, ldapExtra: readonly string[]): string {
  return [
    `data_dir: ${JSON.stringify(dataDir)}`,
    'shutdown_timeout: 5s',
    'log: { level: info, format: json, access: all }',
    'bcrypt: { cost: 4 }',
    // The tests make deliberate failures; the throttle is not under test here.
    'auth_throttle: { max_failures: 1000 }',
    'ldap:',
    `  listen: [ldaps://127.0.0.1:${port}]`,
    ...ldapExtra,
    'http:',
    `  listen: 127.0.0.1:${httpPort}`,
    '',
  ].join('\n');
}

async function seed(cli: ClientDirectory['cli'], options: DirectoryOptions): Promise<ClientDirectory['users']> {
  const add = (username: string, name: string, role?: string) =>
    cli(['users', 'add', '--username', username, '--email', `${username}@example.com`, '--name', name, '--password-stdin', ...(role === undefined ? [] : ['--role', role])], `${passwordOf(username)}\n`);
  await Promise.all([...PEOPLE.map((p) => add(p.username, p.name)), add('ops', 'Ops Admin', 'admin')]);
  await Promise.all(Object.keys(options.groups).map((g) => cli(['groups', 'add', g])));
  for (const [group, members] of Object.entries(options.groups)) {
    for (const member of members) await cli(['groups', 'add-member', group, member]);
  }
  const listed = JSON.parse(await cli(['users', 'list', '--json'])) as { id: string; username: string; uidNumber: number }[];
  const user = (username: Person): ClientUser => {
    const row = listed.find((l) => l.username === username);
    if (row === undefined) throw new Error(`users list lacks ${username}`);
    return { username, password: passwordOf(username), dn: `cn=uid-${row.id},ou=users,${SUFFIX}`, uidNumber: row.uidNumber, email: `${username}@example.com` };
  };
  return { alice: user('alice'), bob: user('bob'), carol: user('carol') };
}

/** Service accounts are made through the HTTP API (as an admin), which returns the secret once. */
async function createServiceAccount(httpPort: number, name: string): Promise<string> {
  const api = `http://127.0.0.1:${httpPort}/api/v1`;
  const login = await fetch(`${api}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ identifier: 'ops', password: passwordOf('ops') }),
  });
  if (login.status !== 200) throw new Error(`login answered ${login.status}: ${await login.text()}`);
  const { token } = (await login.json()) as { token: string };
  const created = await fetch(`${api}/service-accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ name }),
  });
  if (created.status !== 201) throw new Error(`creating service account answered ${created.status}: ${await created.text()}`);
  return ((await created.json()) as { secret: string }).secret;
}

/**
 * Whether a client test can run: the tool must be there. When it is missing and we are root
 * (CI, after test/setup.sh) the test runs anyway and fails loudly; only a developer without root
 * and without the package gets a skip, with the reason printed.
 */
export function clientMissing(what: string, probe: () => boolean): boolean {
  if (probe()) return false;
  if (process.getuid?.() === 0) return false;
  console.warn(`skipping the ${what} client test: not installed and not root (test/setup.sh installs it)`);
  return true;
}

export const fileExists = (path: string) => (): boolean => existsSync(path);
export const commandWorks = (cmd: string, args: readonly string[]) => (): boolean => {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

export const readText = (path: string): Promise<string> => readFile(path, 'utf8');

export interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a client program to completion (async, so the test's own timers keep running). */
export function run(cmd: string, args: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => undefined); // a program that never reads its input (EPIPE)
    child.stdin.end(options.input ?? '');
  });
}
