import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DirectoryError } from '../../domain/errors.js';
import { EXIT_OK, type CliIo } from '../cli-io.js';
import type { Command } from '../command.js';
import { loadCliConfig } from '../load-cli-config.js';
import type { OptionValues } from '../management-command.js';
import { parseOptions } from '../parse-options.js';

const USAGE = `Usage: pgdir certificate [--config FILE] [--path]

Prints the certificate (PEM) that pgdir's LDAP listener presents: ldap.tls.cert_file when set,
otherwise the self-signed one pgdir made in <data_dir>/tls/cert.pem. The data directory is
private (0700), so client daemons running as their own users (nslcd, www-data, sssd) cannot read
the file there: copy it where they can, e.g.
  pgdir certificate | sudo tee /usr/local/share/ca-certificates/pgdir.crt && sudo update-ca-certificates
  pgdir certificate | sudo tee /etc/ssl/certs/pgdir.pem >/dev/null   # then tls_cacertfile / LDAPTLS_CACERT
  --path   print the file's path instead of its contents
Only the public certificate is printed; the private key never leaves the data directory.
`;

/** The certificate file the LDAP listener uses (ldap-service.ts's tlsFiles, without creating one). */
export const certificateCommand: Command = {
  name: 'certificate',
  summary: "print the LDAP listener's certificate (to install it where clients can read it)",
  options: { path: { type: 'boolean' } },
  async run(argv, io: CliIo) {
    const { values } = parseOptions(argv, { name: 'certificate', options: { path: { type: 'boolean' } } });
    if (values.help === true) {
      io.stdout.write(USAGE);
      return EXIT_OK;
    }
    const config = loadCliConfig(values as OptionValues, io);
    const file = config.ldap.tls.cert_file ?? join(config.data_dir, 'tls', 'cert.pem');
    if (values.path === true) {
      io.stdout.write(`${file}\n`);
      return EXIT_OK;
    }
    const pem = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      const hint = config.ldap.tls.cert_file === undefined ? ' (pgdir serve creates it at its first start)' : '';
      throw new DirectoryError('not_found', `cannot read the certificate ${file}: ${error.code ?? error.message}${hint}`);
    });
    // Only the certificate blocks: a combined file may also hold the key.
    const certs = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    if (certs.length === 0) throw new DirectoryError('invalid', `${file} holds no PEM certificate`);
    io.stdout.write(`${certs.join('\n')}\n`);
    return EXIT_OK;
  },
};
