import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Throwaway PKI for tests: a CA and server certificates it signs, with SAN DNS:localhost and
 * IP:127.0.0.1 (plus ::1), made by the `openssl` CLI in a fresh temp directory. Clients trust the
 * CA via `ca` (Node) or `LDAPTLS_CACERT=<caFile>` (OpenLDAP tools).
 *
 *   const pki = createTestPki();            // CA + first server cert
 *   tls.connect({ port, ca: pki.ca, servername: 'localhost' });
 *   const next = pki.issue('second');       // another server cert (e.g. to test reload)
 *   pki.cleanup();                          // in afterAll
 */
export interface ServerCert {
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: string;
  readonly key: string;
  /** Serial number in upper-case hex without separators, as `X509Certificate.serialNumber` gives it. */
  readonly serial: string;
}

export interface TestPki extends ServerCert {
  readonly dir: string;
  readonly caFile: string;
  readonly ca: string;
  /** Issues another server certificate from the same CA, written to `<dir>/<name>.{crt,key}`. */
  issue(name: string, options?: { cn?: string; days?: number }): ServerCert;
  cleanup(): void;
}

function openssl(args: readonly string[], cwd: string): string {
  return execFileSync('openssl', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function makeCa(dir: string): void {
  openssl(
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=pgdir test CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    dir,
  );
}

function issueFrom(dir: string, name: string, cn: string, days: number): ServerCert {
  const keyFile = join(dir, `${name}.key`);
  const certFile = join(dir, `${name}.crt`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(
    ext,
    'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\n' +
      'keyUsage=critical,digitalSignature,keyEncipherment\nbasicConstraints=CA:FALSE\n',
  );
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyFile, '-out', `${name}.csr`, '-subj', `/CN=${cn}`], dir);
  // A random serial per certificate, so a test can tell which certificate a handshake presented.
  // Leading '1' keeps the hex even-length, positive and without leading zeros in every rendering.
  const serial = `1${openssl(['rand', '-hex', '8'], dir).trim().toUpperCase().slice(1)}`;
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial',
    `0x${serial}`, '-days', String(days), '-extfile', ext, '-out', certFile], dir);
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), serial };
}

export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'pgdir-pki-'));
  makeCa(dir);
  const first = issueFrom(dir, 'server', 'localhost', 2);
  const caFile = join(dir, 'ca.pem');
  return {
    ...first,
    dir,
    caFile,
    ca: readFileSync(caFile, 'utf8'),
    issue: (name, options = {}) => issueFrom(dir, name, options.cn ?? 'localhost', options.days ?? 2),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
