import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import type { Dataset } from './dataset.js';
import { probe, waitUntilServing } from './probe.js';
import { freePort, rssOf, startServer } from './server-process.js';
import { userDnOf, writeSlapdLdif } from './slapd-ldif.js';
import type { Target } from './target.js';

/**
 * A private OpenLDAP slapd for the comparison: its own slapd.conf in a temp directory, an mdb
 * database loaded by slapadd, equality indexes on the attributes the cases filter on, the memberof
 * overlay, and an ldaps:// listener on a random loopback port. Thread count stays slapd's default
 * (16) unless BENCH_SLAPD_THREADS says otherwise.
 */

export const SLAPD = '/usr/sbin/slapd';
export const SLAPADD = '/usr/sbin/slapadd';
const SCHEMA = '/etc/ldap/schema';
const MODULES = '/usr/lib/ldap';

export interface TlsFiles {
  readonly ca: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export interface SlapdOptions {
  readonly suffix: string;
  readonly tls: TlsFiles;
  readonly threads?: number;
  /** slapd's loglevel; `none` by default so that per-operation syslog lines do not slow it down. */
  readonly logLevel?: string;
}

export function slapdAvailable(): boolean {
  return existsSync(SLAPD) && existsSync(SLAPADD) && existsSync(join(MODULES, 'back_mdb.so'));
}

function slapdConf(dir: string, adminDn: string, adminPassword: string, o: SlapdOptions): string {
  const memberof = existsSync(join(MODULES, 'memberof.so'));
  return [
    ...['core', 'cosine', 'nis', 'inetorgperson'].map((s) => `include ${SCHEMA}/${s}.schema`),
    `modulepath ${MODULES}`, 'moduleload back_mdb', memberof ? 'moduleload memberof' : '',
    `pidfile ${dir}/slapd.pid`, `argsfile ${dir}/slapd.args`,
    o.threads ? `threads ${o.threads}` : '', `loglevel ${o.logLevel ?? 'none'}`,
    `TLSCACertificateFile ${o.tls.caFile}`, `TLSCertificateFile ${o.tls.certFile}`, `TLSCertificateKeyFile ${o.tls.keyFile}`,
    'access to attrs=userPassword by anonymous auth by * none',
    'access to * by users read by * none',
    'database mdb', 'maxsize 8589934592', `suffix "${o.suffix}"`, `rootdn "${adminDn}"`, `rootpw ${adminPassword}`,
    `directory ${dir}/db`, 'sizelimit unlimited',
    'index objectClass eq',
    `index uid,cn,mail,member,uniqueMember,memberUid,uidNumber,gidNumber,entryUUID${memberof ? ',memberOf' : ''} eq`,
    ...(memberof
      ? ['overlay memberof', 'memberof-group-oc groupOfNames', 'memberof-member-ad member', 'memberof-memberof-ad memberOf']
      : []),
    '',
  ].join('\n');
}

export async function startSlapd(dataset: Dataset, o: SlapdOptions): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'pgdir-bench-slapd-'));
  mkdirSync(join(dir, 'db'));
  const adminDn = `cn=admin,ou=system,${o.suffix}`;
  const conf = join(dir, 'slapd.conf');
  writeFileSync(conf, slapdConf(dir, adminDn, dataset.adminPassword, o));
  const ldif = join(dir, 'data.ldif');
  const loadStart = performance.now();
  await writeSlapdLdif(dataset, o.suffix, ldif);
  await promisify(execFile)(SLAPADD, ['-q', '-f', conf, '-l', ldif], { maxBuffer: 1 << 24 }).catch((err: Error & { stderr?: string }) => {
    throw new Error(`slapadd failed: ${err.stderr ?? err.message}`);
  });
  const loadMs = performance.now() - loadStart;
  rmSync(ldif);
  const port = await freePort();
  const started = performance.now();
  // -d 0 keeps slapd in the foreground (as our child) without debug output.
  const server = startServer(SLAPD, ['-h', `ldaps://127.0.0.1:${port}/`, '-f', conf, '-d', '0']);
  const target: Target = {
    name: 'slapd', url: `ldaps://127.0.0.1:${port}`, host: '127.0.0.1', port, ca: o.tls.ca, baseDn: o.suffix,
    adminDn, adminPassword: dataset.adminPassword, userPassword: dataset.userPassword,
    userDn: (i) => userDnOf({ id: dataset.users[i]?.id ?? '' }, o.suffix),
    startupMs: 0,
    facts: [['slapadd (LDIF + index)', `${(loadMs / 1000).toFixed(1)} s`]],
    rss: () => rssOf(server.child.pid),
    pid: () => server.child.pid,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    const last = dataset.users[dataset.users.length - 1];
    await waitUntilServing(target, last?.username ?? '', server, 60_000);
    const startupMs = performance.now() - started;
    // Debian's slapd verifies {CRYPT} through libxcrypt's crypt(3); make sure it knows $2b$.
    await probe(target, last?.username ?? '', dataset.bcryptUsers[0]).catch((err: Error) => {
      throw new Error(`slapd rejected a {CRYPT}$2b$ bcrypt bind (${err.message})`);
    });
    return { ...target, startupMs };
  } catch (err) {
    await target.stop();
    throw err;
  }
}
