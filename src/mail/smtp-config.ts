import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import type { SmtpConfig } from '../config/schema.js';
import { defaultEhloName } from './ehlo-name.js';
import type { SmtpSettings } from './smtp-mailer.js';

/**
 * The mailer settings of the YAML `smtp:` mapping. The private CA is read now, at start-up, so a
 * wrong path stops the daemon with its key instead of failing the first invite mail.
 */
export function smtpSettingsFromConfig(smtp: SmtpConfig): SmtpSettings {
  const { tls, oauth2 } = smtp;
  let ca: string | undefined;
  if (tls.ca_file !== undefined) {
    try {
      ca = readFileSync(tls.ca_file, 'utf8');
    } catch (error) {
      throw new Error(`smtp.tls.ca_file: cannot read ${tls.ca_file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  return {
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTls: smtp.require_tls,
    username: smtp.username,
    password: smtp.password,
    from: smtp.from,
    ehloName: smtp.ehlo_name ?? defaultEhloName(smtp.public_url),
    // A private CA is trusted in addition to the system's, as `NODE_EXTRA_CA_CERTS` would.
    tls: { rejectUnauthorized: tls.reject_unauthorized, ...(ca === undefined ? {} : { ca: [ca, ...rootCertificates] }) },
    oauth2: oauth2 && {
      user: oauth2.user,
      clientId: oauth2.client_id,
      clientSecret: oauth2.client_secret,
      refreshToken: oauth2.refresh_token,
      tokenUrl: oauth2.token_url,
      accessTokenFile: oauth2.access_token_file,
    },
  };
}
