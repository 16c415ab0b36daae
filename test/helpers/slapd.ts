import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { createTestPki, type TestPki } from './certs.js';

/**
 * A private OpenLDAP slapd for tests (the approach of bench/slapd.ts): its own slapd.conf in a temp
 * directory, an mdb database seeded by slapadd, listeners `ldap://` and `ldaps://` on a random
 * loopback port pair, a throwaway CA. The seeded entries get entryUUID/createTimestamp from
 * slapadd. A read-only service account `cn=reader,<suffix>` (password `reader-secret`) sees
 * everything; the refint overlay keeps member/uniqueMember right across renames and deletes; non-root searches are limited to `sizeLimit` entries unless paged (RFC 2696), so a
 * search that forgets paging fails like it would against AD's MaxPageSize.
 */

const SLAPD = '/usr/sbin/slapd';
const SLAPADD = '/usr/sbin/slapadd';
const SCHEMA = '/etc/ldap/schema';
const MODULES = '/usr/lib/ldap';
const run = promisify(execFile);

export const READER_PASSWORD = 'reader-secret';
export const ROOT_PASSWORD = 'root-secret';

export function slapdAvailable(): boolean {
  return existsSync(SLAPD) && existsSync(SLAPADD) && existsSync(join(MODULES, 'back_mdb.so'));
}

export interface SlapdOptions {
  readonly suffix: string;
  /** LDIF for slapadd, without the suffix entry and the reader (added here). */
  readonly ldif: string;
  /** Extra schema text (attributetype/objectclass definitions) written to a file and included. */
  readonly schema?: string;
  /** Unpaged search limit for non-root binds (default 100). */
  readonly sizeLimit?: number;
}

export interface TestSlapd {
  readonly suffix: string;
  /** ldaps:// URL (certificate for 127.0.0.1 and localhost, signed by `pki.caFile`). */
  readonly url: string;
  readonly plainUrl: string;
  readonly pki: TestPki;
  readonly rootDn: string;
  readonly readerDn: string;
  /** Applies LDIF change records (changetype: add/modify/delete) as the root DN. */
  modify(ldif: string): Promise<void>;
  /** Stops slapd (data kept); `start()` brings it back on the same ports. */
  stop(): Promise<void>;
  start(): Promise<void>;
  cleanup(): Promise<void>;
}

/**
 * The DNs an LDIF renames (refint then rewrites the member values naming them). Deletes are left
 * out: refint cannot remove the last `member` of a groupOfNames (a MUST attribute) without
 * `refint_nothing`, so the old value may stay for good.
 */
function renamedDns(ldif: string): string[] {
  return ldif
    .split(/\n\s*\n/)
    .filter((record) => /^changetype:\s*(modrdn|moddn)\s*$/im.test(record))
    .map((record) => /^dn:\s*(.+)$/im.exec(record)?.[1]?.trim())
    .filter((dn): dn is string => dn !== undefined);
}

const filterValue = (value: string): string => value.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

/**
 * OpenLDAP's refint overlay rewrites member/uniqueMember in a background task after the modrdn
 * has answered (slapo-refint(5)), so a sync started at once could still read the old DN. Waits
 * (bounded) until no entry names the old DNs, as the tests expect of a settled source.
 */
async function refintSettled(url: string, rootDn: string, suffix: string, dns: readonly string[]): Promise<void> {
  for (const dn of dns) {
    const filter = `(|(member=${filterValue(dn)})(uniqueMember=${filterValue(dn)}))`;
    for (let attempt = 0; ; attempt++) {
      const proc = spawn('ldapsearch', ['-x', '-LLL', '-H', url, '-D', rootDn, '-w', ROOT_PASSWORD, '-b', suffix, filter, '1.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      proc.stdout?.on('data', (c: Buffer) => (out += c.toString()));
      const [code] = (await once(proc, 'exit')) as [number | null];
      if (code === 0 && out.trim() === '') break;
      if (attempt >= 100) throw new Error(`refint did not settle for ${dn} (ldapsearch exit ${code}): ${out}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function conf(dir: string, o: SlapdOptions, pki: TestPki, extraSchema: string | undefined): string {
  const limit = o.sizeLimit ?? 100;
  return [
    ...['core', 'cosine', 'nis', 'inetorgperson'].map((s) => `include ${SCHEMA}/${s}.schema`),
    extraSchema ? `include ${extraSchema}` : '',
    `modulepath ${MODULES}`,
    'moduleload back_mdb',
    'moduleload refint',
    `pidfile ${dir}/slapd.pid`,
    `argsfile ${dir}/slapd.args`,
    'loglevel none',
    `TLSCACertificateFile ${pki.caFile}`,
    `TLSCertificateFile ${pki.certFile}`,
    `TLSCertificateKeyFile ${pki.keyFile}`,
    'access to attrs=userPassword by anonymous auth by * none',
    'access to * by users read by * none',
    'database mdb',
    'maxsize 1073741824',
    `suffix "${o.suffix}"`,
    `rootdn "cn=root,${o.suffix}"`,
    `rootpw ${ROOT_PASSWORD}`,
    `directory ${dir}/db`,
    `limits users size.soft=${limit} size.hard=${limit} size.prtotal=unlimited`,
    'index objectClass,uid,cn,mail,member,uniqueMember,memberUid,entryUUID eq',
    // Renames and deletes update group members, as JumpCloud, Okta and AD do.
    'overlay refint',
    'refint_attributes member uniqueMember',
    '',
  ].join('\n');
}

function baseLdif(suffix: string): string {
  const [type = 'dc', value = 'example'] = (suffix.split(',')[0] ?? '').split('=');
  const top =
    type.toLowerCase() === 'dc'
      ? `dn: ${suffix}\nobjectClass: top\nobjectClass: dcObject\nobjectClass: organization\ndc: ${value}\no: ${value}\n\n`
      : `dn: ${suffix}\nobjectClass: top\nobjectClass: organization\no: ${value}\n\n`;
  return `${top}dn: cn=reader,${suffix}\nobjectClass: person\ncn: reader\nsn: reader\nuserPassword: ${READER_PASSWORD}\n\n`;
}

async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`slapd exited (${child.exitCode}):\n${output()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(20);
  }
  throw new Error(`slapd did not listen on ${port}:\n${output()}`);
}

export async function startTestSlapd(o: SlapdOptions): Promise<TestSlapd> {
  const dir = mkdtempSync(join(tmpdir(), 'pgdir-test-slapd-'));
  mkdirSync(join(dir, 'db'));
  const pki = createTestPki();
  const schemaFile = o.schema === undefined ? undefined : join(dir, 'extra.schema');
  if (schemaFile !== undefined) writeFileSync(schemaFile, o.schema ?? '');
  const confFile = join(dir, 'slapd.conf');
  writeFileSync(confFile, conf(dir, o, pki, schemaFile));
  writeFileSync(join(dir, 'seed.ldif'), baseLdif(o.suffix) + o.ldif);
  await run(SLAPADD, ['-q', '-f', confFile, '-l', join(dir, 'seed.ldif')], { maxBuffer: 1 << 24 }).catch((err: Error & { stderr?: string }) => {
    throw new Error(`slapadd failed: ${err.stderr ?? err.message}`);
  });
  const [port, tlsPort] = [await freePort(), await freePort()];
  let child: ChildProcess | undefined;
  let log = '';
  const rootDn = `cn=root,${o.suffix}`;
  const plainUrl = `ldap://127.0.0.1:${port}`;

  async function start(): Promise<void> {
    log = '';
    const urls = `ldap://127.0.0.1:${port}/ ldaps://127.0.0.1:${tlsPort}/`;
    const proc = spawn(SLAPD, ['-h', urls, '-f', confFile, '-d', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout?.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-8000)));
    proc.stderr?.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-8000)));
    child = proc;
    await waitForPort(tlsPort, proc, () => log);
  }

  async function stop(): Promise<void> {
    const proc = child;
    child = undefined;
    if (proc === undefined || proc.exitCode !== null) return;
    const gone = once(proc, 'exit');
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  }

  await start();
  return {
    suffix: o.suffix,
    url: `ldaps://127.0.0.1:${tlsPort}`,
    plainUrl,
    pki,
    rootDn,
    readerDn: `cn=reader,${o.suffix}`,
    async modify(ldif) {
      const proc = spawn('ldapmodify', ['-x', '-H', plainUrl, '-D', rootDn, '-w', ROOT_PASSWORD], { stdio: ['pipe', 'pipe', 'pipe'] });
      let err = '';
      proc.stderr?.on('data', (c: Buffer) => (err += c.toString()));
      proc.stdin?.end(ldif);
      const [code] = (await once(proc, 'exit')) as [number | null];
      if (code !== 0) throw new Error(`ldapmodify failed (${code}): ${err}`);
      await refintSettled(plainUrl, rootDn, o.suffix, renamedDns(ldif));
    },
    stop,
    start,
    async cleanup() {
      await stop();
      pki.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
