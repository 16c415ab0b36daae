import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'ldapts';
import pg from 'pg';
import { createTestPki, type TestPki } from '../helpers/certs.js';
import { createTempDir } from '../helpers/databases.js';
import { freePort } from './daemon-setup.js';
import { runLdapTool, type LdapTool, type ToolResult } from './ldap-tools.js';
import { REPO, runPgdir, spawnPgdir, type CliResult } from './pgdir-runner.js';

/**
 * N `pgdir serve` processes on one PostgreSQL database, each with its own data directory, ports
 * and TLS listener (one throwaway CA), the way docs/scaling.md tells operators to run them. The
 * first replica generates the admin secret; every replica gets the same `totp.key` (the key that
 * seals 2FA secrets), which docs/scaling.md asks operators to copy.
 */
export const SUFFIX = 'dc=example,dc=com';
export const ADMIN_DN = `cn=admin,ou=system,${SUFFIX}`;

export interface Replica {
  readonly index: number;
  readonly dataDir: string;
  readonly configFile: string;
  readonly ldapsUrl: string;
  readonly ldapUrl: string;
  readonly ldapPort: number;
  readonly httpUrl: string;
  readonly httpPort: number;
  /** The running process (undefined while stopped). */
  serve: Serve | undefined;
}

interface Serve {
  readonly child: import('node:child_process').ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

export interface ReplicaCluster {
  readonly url: string;
  readonly pki: TestPki;
  readonly replicas: readonly Replica[];
  adminPassword(): Promise<string>;
  start(i: number): Promise<void>;
  /** Sends `signal` and waits for the exit. */
  stop(i: number, signal?: NodeJS.Signals): Promise<void>;
  cli(i: number, args: readonly string[], input?: string): Promise<CliResult>;
  ldap(i: number, tool: LdapTool, args: readonly string[]): Promise<ToolResult>;
  /** An unbound ldapts client on replica i's ldaps:// (the caller unbinds it). */
  client(i: number): Client;
  /** Every entry with user and operational attributes, as ldapsearch prints it, sorted by DN. */
  dump(i: number, adminPassword?: string): Promise<string>;
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

export interface ClusterOptions {
  readonly size: number;
  /** The database (must exist and be empty). */
  readonly url: string;
  /** More YAML lines for every replica (connector, throttle, …). */
  readonly extraYaml?: readonly string[];
  readonly logLevel?: string;
}

function yaml(o: { dataDir: string; url: string; pki: TestPki; ldaps: number; ldap: number; http: number; extra: readonly string[]; level: string }): string {
  return [
    `data_dir: ${JSON.stringify(o.dataDir)}`,
    'shutdown_timeout: 5s',
    'database:',
    `  url: ${JSON.stringify(o.url)}`,
    `log: { level: ${o.level}, format: json }`,
    'bcrypt: { cost: 4 }',
    'ldap:',
    `  suffix: ${SUFFIX}`,
    `  listen: ["ldaps://127.0.0.1:${o.ldaps}", "ldap://127.0.0.1:${o.ldap}"]`,
    `  tls: { cert_file: ${JSON.stringify(o.pki.certFile)}, key_file: ${JSON.stringify(o.pki.keyFile)} }`,
    '  allowlist: ["127.0.0.1"]',
    '  user_search: all',
    'http:',
    `  listen: 127.0.0.1:${o.http}`,
    ...o.extra,
    '',
  ].join('\n');
}

function spawnServe(configFile: string): Serve {
  const child = spawnPgdir(['serve', '--config', configFile], REPO);
  child.stdin?.end();
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, output: () => out };
}

async function untilReady(replica: Replica): Promise<void> {
  const serve = replica.serve;
  if (serve === undefined) throw new Error(`replica ${replica.index} is not running`);
  // /readyz answers 200 once the view is loaded and LDAP listens. Generous: a loaded shared
  // machine (or a big directory) starts slowly, and an early exit fails at once anyway.
  const deadline = Date.now() + 180_000;
  for (;;) {
    const status = await fetch(`${replica.httpUrl}/readyz`).then((r) => r.status, () => 0);
    if (status === 200) return;
    if (serve.child.exitCode !== null) throw new Error(`replica ${replica.index} exited:\n${serve.output()}`);
    if (Date.now() > deadline) throw new Error(`replica ${replica.index} not ready within 180 s:\n${serve.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startCluster(options: ClusterOptions): Promise<ReplicaCluster> {
  const pki = createTestPki();
  const work = await createTempDir('pgdir-replicas-');
  const totpKey = `${randomBytes(32).toString('hex')}\n`;
  const replicas: Replica[] = [];
  for (let index = 0; index < options.size; index++) {
    const dataDir = join(work.path, `replica-${index}`);
    const [ldaps, ldap, http] = [await freePort(), await freePort(), await freePort()];
    const configFile = join(work.path, `replica-${index}.yaml`);
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    await writeFile(join(dataDir, 'totp.key'), totpKey, { mode: 0o600 });
    await writeFile(configFile, yaml({ dataDir, url: options.url, pki, ldaps, ldap, http, extra: options.extraYaml ?? [], level: options.logLevel ?? 'info' }));
    replicas.push({ index, dataDir, configFile, ldapsUrl: `ldaps://127.0.0.1:${ldaps}`, ldapUrl: `ldap://127.0.0.1:${ldap}`, ldapPort: ldaps, httpUrl: `http://127.0.0.1:${http}`, httpPort: http, serve: undefined });
  }
  const pool = new pg.Pool({ connectionString: options.url, max: 2 });
  pool.on('error', () => undefined); // a test may stop the database under it
  const replica = (i: number): Replica => {
    const r = replicas[i];
    if (r === undefined) throw new Error(`no replica ${i}`);
    return r;
  };
  const cluster: ReplicaCluster = {
    url: options.url,
    pki,
    replicas,
    adminPassword: async () => (await readFile(join(replica(0).dataDir, 'admin-secret'), 'utf8')).trim(),
    async start(i) {
      const r = replica(i);
      r.serve = spawnServe(r.configFile);
      try {
        await untilReady(r);
      } catch (err) {
        r.serve.child.kill('SIGKILL');
        throw err;
      }
    },
    async stop(i, signal = 'SIGTERM') {
      const r = replica(i);
      const serve = r.serve;
      if (serve === undefined) return;
      if (serve.child.exitCode === null && serve.child.signalCode === null) serve.child.kill(signal);
      const timer = setTimeout(() => serve.child.kill('SIGKILL'), 15_000);
      await serve.exited;
      clearTimeout(timer);
      r.serve = undefined;
    },
    cli: (i, args, input) => runPgdir([...args, '--config', replica(i).configFile], REPO, input),
    ldap: (i, tool, args) => {
      const withHost = args.includes('-H') ? args : ['-H', replica(i).ldapsUrl, ...args];
      return runLdapTool(tool, ['-x', ...withHost], pki.caFile);
    },
    client: (i) => new Client({ url: replica(i).ldapsUrl, timeout: 10_000, connectTimeout: 5_000, tlsOptions: { ca: [pki.ca] } }),
    async dump(i, adminPassword) {
      const args = ['-LLL', '-o', 'ldif-wrap=no', '-D', ADMIN_DN, '-w', adminPassword ?? (await cluster.adminPassword()), '-b', SUFFIX, '-s', 'sub', '-E', 'pr=500/noprompt', '(objectClass=*)', '*', '+'];
      const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LDAPTLS_CACERT: pki.caFile, LDAPTLS_REQCERT: 'demand', LDAPCONF: '/dev/null', LDAPRC: '/dev/null/none', HOME: '/nonexistent' };
      // A big directory's dump exceeds runLdapTool's 1 MB output buffer.
      const stdout = await new Promise<string>((resolve, reject) =>
        execFile('ldapsearch', ['-x', '-H', replica(i).ldapsUrl, ...args], { env, maxBuffer: 1 << 30, timeout: 120_000, encoding: 'utf8' }, (err, out, stderr) =>
          err === null ? resolve(out) : reject(new Error(`ldapsearch on replica ${i}: ${err.message}\n${stderr}`)),
        ),
      );
      const entries = stdout.split('\n').filter((line) => !line.startsWith('#')).join('\n').trim().split(/\n\n+/);
      return entries.filter((e) => e.startsWith('dn:')).sort().join('\n\n');
    },
    query: async (text, values) => (await pool.query(text, values)).rows,
    async close() {
      await Promise.all(replicas.map((_, i) => cluster.stop(i)));
      await pool.end().catch(() => undefined);
      await work.remove();
      pki.cleanup();
    },
  };
  // The first replica migrates the database and generates the admin secret; then the others.
  await cluster.start(0);
  await Promise.all(replicas.slice(1).map((r) => cluster.start(r.index)));
  return cluster;
}

/** Polls `probe` every 20 ms until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch((error: unknown) => {
      if (String(error).includes('exited')) throw error;
      return undefined;
    });
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Logs `username` in on `httpUrl`; the bearer token. */
export async function login(httpUrl: string, identifier: string, password: string): Promise<string> {
  const res = await fetch(`${httpUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identifier, password }) });
  if (res.status !== 200) throw new Error(`login as ${identifier} answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** An API call with a bearer token: status and parsed body. */
export async function api(httpUrl: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await fetch(`${httpUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
}

/** Whether an admin search on replica `i` finds `uid=<uid>` (one entry). */
export async function ldapHasUid(cluster: ReplicaCluster, i: number, uid: string, password: string): Promise<boolean> {
  const client = cluster.client(i);
  try {
    await client.bind(ADMIN_DN, password);
    const { searchEntries } = await client.search(`ou=users,${SUFFIX}`, { scope: 'sub', filter: `(uid=${uid})`, attributes: ['uid'] });
    return searchEntries.length === 1;
  } finally {
    await client.unbind().catch(() => undefined);
  }
}
