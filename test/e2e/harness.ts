import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'ldapts';
import { createTestPki, type TestPki } from '../helpers/certs.js';
import { createPGliteDataDir, createTempDir, createTestDatabase } from '../helpers/databases.js';
import { configYaml, pickListeners, waitListening, type Listeners } from './daemon-setup.js';
import { runLdapTool, type LdapTool, type ToolResult } from './ldap-tools.js';
import { REPO, runPgdir, spawnPgdir, type CliResult } from './pgdir-runner.js';
import { seedDirectory, type SeededUser } from './seed.js';

/**
 * `pgdir serve` as a child process with a throwaway CA, a YAML config, users and groups seeded
 * through the CLI (over the daemon's control socket), and clients that speak real TLS to it.
 *
 *   const dir = await startDirectory({ mode: 'pglite' });
 *   await dir.ldap('ldapsearch', ['-D', dir.adminDn, '-w', dir.adminPassword, ...]);
 *   const client = await dir.bound(dir.adminDn, dir.adminPassword);   // ldapts over ldaps://
 *   await dir.stop();                                                 // SIGTERM, then cleanup
 */
export type E2eMode = 'pglite' | 'postgres';
export const E2E_MODES: readonly { readonly mode: E2eMode }[] = [{ mode: 'pglite' }, { mode: 'postgres' }];

export const SUFFIX = 'dc=example,dc=com';
export const USERS_DN = `ou=users,${SUFFIX}`;
export const GROUPS_DN = `ou=groups,${SUFFIX}`;
export const ADMIN_DN = `cn=admin,ou=system,${SUFFIX}`;
export const groupDn = (name: string): string => `cn=${name},${GROUPS_DN}`;

export interface DirectoryOptions {
  readonly mode: E2eMode;
  readonly userSearch?: 'self' | 'self-only-members' | 'all' | 'none';
  readonly sizeLimit?: number;
  /** Also serve plain ldap:// on 127.0.0.1 (StartTLS) and, when the host has one, a non-loopback address. */
  readonly plainListener?: boolean;
  /** Seed the standard users and groups (seed.ts); default true. */
  readonly seed?: boolean;
}

export interface E2eDirectory {
  readonly mode: E2eMode;
  readonly ldapsUrl: string;
  /** ldap://127.0.0.1:<port>, when plainListener. */
  readonly ldapUrl: string | undefined;
  /** ldap://<non-loopback IPv4>:<port>, when plainListener and the host has such an address. */
  readonly remotePlain: { readonly url: string; readonly address: string } | undefined;
  readonly ldapsPort: number;
  readonly httpUrl: string;
  readonly ca: string;
  readonly caFile: string;
  readonly adminDn: string;
  readonly adminPassword: string;
  readonly configFile: string;
  readonly dataDir: string;
  /** Seeded users by username; passwords are updated by the tests that change them. */
  readonly users: Map<string, SeededUser>;
  user(name: string): SeededUser;
  /** `pgdir <args> --config <file>`. */
  cli(args: readonly string[], input?: string): Promise<CliResult>;
  /** An OpenLDAP client tool against this directory: `-H <ldaps url>` and `-x` are prepended unless given. */
  ldap(tool: LdapTool, args: readonly string[]): Promise<ToolResult>;
  /** An unbound ldapts client on ldaps:// (the caller unbinds it). */
  client(url?: string): Client;
  bound(dn: string, password: string): Promise<Client>;
  /** The daemon's output so far (JSON log lines). */
  output(): string;
  /** SIGTERM and wait; then drop the database and temp directories. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

interface Run {
  readonly pki: TestPki;
  readonly listeners: Listeners;
  readonly adminPassword: string;
  readonly configFile: string;
  readonly workDir: string;
  readonly dataDir: string;
  cleanup(): Promise<void>;
}

/** Temp directories, database, certificates, admin secret file and config for one daemon. */
async function prepareRun(options: DirectoryOptions): Promise<Run> {
  const pki = createTestPki();
  const work = await createTempDir('pgdir-e2e-');
  const data = options.mode === 'pglite' ? await createPGliteDataDir() : await createTempDir('pgdir-e2e-data-');
  const database = options.mode === 'postgres' ? await createTestDatabase() : undefined;
  const listeners = await pickListeners(options.plainListener ?? true);
  const adminPassword = `admin-${randomBytes(9).toString('base64url')}`;
  const adminFile = join(work.path, 'admin-secret');
  await writeFile(adminFile, `${adminPassword}\n`, { mode: 0o600 });
  const configFile = join(work.path, 'pgdir.yaml');
  await writeFile(configFile, configYaml({ suffix: SUFFIX, dataDir: data.path, url: database?.url, pki, l: listeners, adminFile, options }));
  return {
    pki, listeners, adminPassword, configFile, workDir: work.path, dataDir: data.path,
    cleanup: async () => {
      await database?.drop();
      await Promise.all([data.remove(), work.remove()]);
      pki.cleanup();
    },
  };
}

interface Serve {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

function spawnServe(configFile: string): Serve {
  const child = spawnPgdir(['serve', '--config', configFile], REPO);
  child.stdin?.end();
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, output: () => out };
}

function directoryHandle(mode: E2eMode, run: Run, serve: Serve): E2eDirectory {
  const l = run.listeners;
  const ldapsUrl = `ldaps://127.0.0.1:${l.ldapsPort}`;
  const users = new Map<string, SeededUser>();
  const dir: E2eDirectory = {
    mode,
    ldapsUrl,
    ldapUrl: l.ldapPort === undefined ? undefined : `ldap://127.0.0.1:${l.ldapPort}`,
    remotePlain: l.remote === undefined ? undefined : { url: `ldap://${l.remote.address}:${l.remote.port}`, address: l.remote.address },
    ldapsPort: l.ldapsPort,
    httpUrl: `http://127.0.0.1:${l.httpPort}`,
    ca: run.pki.ca,
    caFile: run.pki.caFile,
    adminDn: ADMIN_DN,
    adminPassword: run.adminPassword,
    configFile: run.configFile,
    dataDir: run.dataDir,
    users,
    user(name) {
      const found = users.get(name);
      if (found === undefined) throw new Error(`no seeded user ${name}`);
      return found;
    },
    cli: (args, input) => runPgdir([...args, '--config', run.configFile], run.workDir, input),
    ldap: (tool, args) => {
      const withHost = args.includes('-H') ? args : ['-H', ldapsUrl, ...args];
      return runLdapTool(tool, args.includes('-x') || args.includes('-Y') ? withHost : ['-x', ...withHost], run.pki.caFile);
    },
    client: (url = ldapsUrl) => new Client({ url, timeout: 10_000, connectTimeout: 5_000, tlsOptions: { ca: [run.pki.ca] } }),
    async bound(dn, password) {
      const c = dir.client();
      await c.bind(dn, password);
      return c;
    },
    output: serve.output,
    async stop() {
      const { child } = serve;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const result = await serve.exited;
      clearTimeout(timer);
      await run.cleanup();
      return result;
    },
  };
  return dir;
}

export async function startDirectory(options: DirectoryOptions): Promise<E2eDirectory> {
  const run = await prepareRun(options);
  const serve = spawnServe(run.configFile);
  try {
    await waitListening(serve.child, [run.listeners.ldapsPort, run.listeners.httpPort], serve.output);
  } catch (err) {
    serve.child.kill('SIGKILL');
    await serve.exited;
    await run.cleanup();
    throw err;
  }
  const dir = directoryHandle(options.mode, run, serve);
  if (options.seed ?? true) {
    try {
      for (const user of await seedDirectory(dir)) dir.users.set(user.username, user);
    } catch (err) {
      await dir.stop();
      throw err;
    }
  }
  return dir;
}

export type { SeededUser };
export { freePort, nonLoopbackAddress } from './daemon-setup.js';
