import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { Client } from 'ldapts';
import { createTestPki, type TestPki } from '../helpers/certs.js';
import { createPGliteDataDir, createTempDir, createTestDatabase } from '../helpers/databases.js';
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
  readonly userSearch?: 'self' | 'all' | 'none';
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

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** The first non-internal IPv4 address of this host (for the non-loopback plain-bind rule), if any. */
export function nonLoopbackAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    const found = list?.find((a) => a.family === 'IPv4' && !a.internal);
    if (found !== undefined) return found.address;
  }
  return undefined;
}

function tcpAccepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

interface Listeners {
  ldapsPort: number;
  ldapPort: number | undefined;
  remote: { address: string; port: number } | undefined;
  httpPort: number;
}

async function pickListeners(plain: boolean): Promise<Listeners> {
  const address = plain ? nonLoopbackAddress() : undefined;
  return {
    ldapsPort: await freePort(),
    ldapPort: plain ? await freePort() : undefined,
    remote: address === undefined ? undefined : { address, port: await freePort() },
    httpPort: await freePort(),
  };
}

function configYaml(o: { dataDir: string; url: string | undefined; pki: TestPki; l: Listeners; adminFile: string; options: DirectoryOptions }): string {
  const listen = [`ldaps://127.0.0.1:${o.l.ldapsPort}`];
  if (o.l.ldapPort !== undefined) listen.push(`ldap://127.0.0.1:${o.l.ldapPort}`);
  if (o.l.remote !== undefined) listen.push(`ldap://${o.l.remote.address}:${o.l.remote.port}`);
  const allow = ['127.0.0.1', ...(o.l.remote === undefined ? [] : [o.l.remote.address])];
  return [
    `data_dir: ${JSON.stringify(o.dataDir)}`,
    'shutdown_timeout: 5s',
    ...(o.url === undefined ? [] : ['database:', `  url: ${JSON.stringify(o.url)}`]),
    'log: { level: info, format: json }',
    'bcrypt: { cost: 4 }',
    // The bind-failure tests make a few dozen deliberate failures; the throttle is not under test here.
    'auth_throttle: { max_failures: 1000 }',
    'ldap:',
    `  suffix: ${SUFFIX}`,
    `  listen: ${JSON.stringify(listen)}`,
    `  tls: { cert_file: ${JSON.stringify(o.pki.certFile)}, key_file: ${JSON.stringify(o.pki.keyFile)} }`,
    `  allowlist: ${JSON.stringify(allow)}`,
    `  admin_password_file: ${JSON.stringify(o.adminFile)}`,
    `  size_limit: ${o.options.sizeLimit ?? 1000}`,
    `  user_search: ${o.options.userSearch ?? 'self'}`,
    'http:',
    `  listen: 127.0.0.1:${o.l.httpPort}`,
    '',
  ].join('\n');
}

async function waitListening(child: ChildProcess, ports: readonly number[], output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (const port of ports) {
    while (!(await tcpAccepts('127.0.0.1', port))) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`pgdir serve exited early:\n${output()}`);
      if (Date.now() > deadline) throw new Error(`pgdir serve did not listen on ${port} within 60 s:\n${output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export async function startDirectory(options: DirectoryOptions): Promise<E2eDirectory> {
  const pki = createTestPki();
  const work = await createTempDir('pgdir-e2e-');
  const data = options.mode === 'pglite' ? await createPGliteDataDir() : await createTempDir('pgdir-e2e-data-');
  const database = options.mode === 'postgres' ? await createTestDatabase() : undefined;
  const l = await pickListeners(options.plainListener ?? true);
  const adminPassword = `admin-${randomBytes(9).toString('base64url')}`;
  const adminFile = join(work.path, 'admin-secret');
  await writeFile(adminFile, `${adminPassword}\n`, { mode: 0o600 });
  const configFile = join(work.path, 'pgdir.yaml');
  await writeFile(configFile, configYaml({ dataDir: data.path, url: database?.url, pki, l, adminFile, options }));

  const child = spawnPgdir(['serve', '--config', configFile], REPO);
  child.stdin?.end();
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const cleanup = async (): Promise<void> => {
    await database?.drop();
    await Promise.all([data.remove(), work.remove()]);
    pki.cleanup();
  };
  try {
    await waitListening(child, [l.ldapsPort, l.httpPort], () => out);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    await cleanup();
    throw err;
  }

  const ldapsUrl = `ldaps://127.0.0.1:${l.ldapsPort}`;
  const users = new Map<string, SeededUser>();
  const dir: E2eDirectory = {
    mode: options.mode,
    ldapsUrl,
    ldapUrl: l.ldapPort === undefined ? undefined : `ldap://127.0.0.1:${l.ldapPort}`,
    remotePlain: l.remote === undefined ? undefined : { url: `ldap://${l.remote.address}:${l.remote.port}`, address: l.remote.address },
    ldapsPort: l.ldapsPort,
    httpUrl: `http://127.0.0.1:${l.httpPort}`,
    ca: pki.ca,
    caFile: pki.caFile,
    adminDn: ADMIN_DN,
    adminPassword,
    configFile,
    dataDir: data.path,
    users,
    user(name) {
      const found = users.get(name);
      if (found === undefined) throw new Error(`no seeded user ${name}`);
      return found;
    },
    cli: (args, input) => runPgdir([...args, '--config', configFile], work.path, input),
    ldap: (tool, args) => {
      const withHost = args.includes('-H') ? args : ['-H', ldapsUrl, ...args];
      return runLdapTool(tool, args.includes('-x') || args.includes('-Y') ? withHost : ['-x', ...withHost], pki.caFile);
    },
    client: (url = ldapsUrl) => new Client({ url, timeout: 10_000, connectTimeout: 5_000, tlsOptions: { ca: [pki.ca] } }),
    async bound(dn, password) {
      const c = dir.client();
      await c.bind(dn, password);
      return c;
    },
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const result = await exited;
      clearTimeout(timer);
      await cleanup();
      return result;
    },
  };
  if (options.seed ?? true) {
    try {
      for (const user of await seedDirectory(dir)) users.set(user.username, user);
    } catch (err) {
      await dir.stop();
      throw err;
    }
  }
  return dir;
}

export type { SeededUser };
