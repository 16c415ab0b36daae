import type { ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { TestPki } from '../helpers/certs.js';
import type { DirectoryOptions } from './harness.js';

/** Ports, the YAML config and the start-up wait of the e2e daemons (see harness.ts). */
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

export interface Listeners {
  ldapsPort: number;
  ldapPort: number | undefined;
  remote: { address: string; port: number } | undefined;
  httpPort: number;
}

export async function pickListeners(plain: boolean): Promise<Listeners> {
  const address = plain ? nonLoopbackAddress() : undefined;
  return {
    ldapsPort: await freePort(),
    ldapPort: plain ? await freePort() : undefined,
    remote: address === undefined ? undefined : { address, port: await freePort() },
    httpPort: await freePort(),
  };
}

export function configYaml(o: { suffix: string; dataDir: string; url: string | undefined; pki: TestPki; l: Listeners; adminFile: string; options: DirectoryOptions }): string {
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
    `  suffix: ${o.suffix}`,
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

export async function waitListening(child: ChildProcess, ports: readonly number[], output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (const port of ports) {
    while (!(await tcpAccepts('127.0.0.1', port))) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`pgdir serve exited early:\n${output()}`);
      if (Date.now() > deadline) throw new Error(`pgdir serve did not listen on ${port} within 60 s:\n${output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
