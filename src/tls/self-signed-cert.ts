import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

/**
 * With no `ldap.tls` configured, `npm start` still serves LDAPS: pgdir makes a self-signed
 * certificate for localhost/127.0.0.1/::1 once and keeps it in the data directory so clients can
 * pin it (`LDAPTLS_CACERT=data/tls/cert.pem`). Production deployments mount real certificates.
 */
export async function ensureSelfSignedCert(dataDir: string): Promise<TlsFiles & { created: boolean }> {
  const dir = join(dataDir, 'tls');
  const files = { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') };
  if (await readable(files.certFile) && await readable(files.keyFile)) return { ...files, created: false };
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const notAfterDate = new Date(Date.now() + 825 * 24 * 3600 * 1000);
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  await writeFile(files.keyFile, pems.private, { mode: 0o600 });
  await chmod(files.keyFile, 0o600);
  await writeFile(files.certFile, pems.cert, { mode: 0o644 });
  return { ...files, created: true };
}

async function readable(path: string): Promise<boolean> {
  try {
    await readFile(path);
    return true;
  } catch {
    return false;
  }
}
