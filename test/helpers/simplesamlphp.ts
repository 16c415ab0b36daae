import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from './pgdir-process.js';

/**
 * SimpleSAMLphp from Debian (test/setup.sh installs it) as a real SAML identity provider, served
 * by `php -S` on an ephemeral loopback port from the fixtures in test/fixtures/simplesamlphp/.
 * It runs on `localhost` while pgdir runs on 127.0.0.1: different sites, as in real deployments,
 * so SameSite cookie rules are exercised.
 */
const FIXTURES = fileURLToPath(new URL('../fixtures/simplesamlphp/', import.meta.url));
const WWW = '/usr/share/simplesamlphp/www';
const run = promisify(execFile);

export interface IdpUser {
  readonly password: string;
  readonly email: string;
  readonly groups: readonly string[];
  readonly displayName?: string;
}

export interface SimpleSamlPhp {
  readonly baseUrl: string;
  readonly metadataUrl: string;
  /** Replaces the users (read per request, so a person's groups change between sign-ins). */
  setUsers(users: Readonly<Record<string, IdpUser>>): Promise<void>;
  metadata(): Promise<string>;
  output(): string;
  stop(): Promise<void>;
}

export async function startSimpleSamlPhp(stateDir: string, sp: { entityId: string; acsUrl: string }, users: Readonly<Record<string, IdpUser>>): Promise<SimpleSamlPhp> {
  for (const sub of ['cert', 'log', 'data', 'tmp', 'sessions']) await mkdir(join(stateDir, sub), { recursive: true });
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-sha256', '-nodes', '-days', '2', '-subj', '/CN=simplesamlphp-test-idp', '-keyout', join(stateDir, 'cert/idp.key'), '-out', join(stateDir, 'cert/idp.crt')]);
  const setUsers = async (next: Readonly<Record<string, IdpUser>>) => {
    const entries = Object.entries(next).map(([name, u]) => [`${name}:${u.password}`, { email: [u.email], group: [...u.groups], ...(u.displayName === undefined ? {} : { displayName: [u.displayName] }) }]);
    await writeFile(join(stateDir, 'users.json'), JSON.stringify(Object.fromEntries(entries)));
  };
  await setUsers(users);
  const port = await freePort();
  const baseUrl = `http://localhost:${port}/`;
  const env = { ...process.env, SIMPLESAMLPHP_CONFIG_DIR: join(FIXTURES, 'config'), SSP_BASE: baseUrl, SSP_STATE: stateDir, PGDIR_SP_ENTITY: sp.entityId, PGDIR_SP_ACS: sp.acsUrl };
  const child: ChildProcess = spawn('php', ['-S', `localhost:${port}`, '-t', WWW], { env, cwd: stateDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const metadataUrl = `${baseUrl}saml2/idp/metadata.php`;
  const metadata = async () => {
    const response = await fetch(metadataUrl);
    const text = await response.text();
    if (!response.ok || !text.includes('IDPSSODescriptor')) throw new Error(`SimpleSAMLphp metadata: ${response.status} ${text.slice(0, 300)}\n${out}`);
    return text;
  };
  for (let i = 0; ; i++) {
    try {
      await metadata();
      break;
    } catch (error) {
      if (i > 100 || child.exitCode !== null) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    baseUrl,
    metadataUrl,
    setUsers,
    metadata,
    output: () => out,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
