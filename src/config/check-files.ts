import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ConfigError, type ConfigIssue } from './config-error.js';
import type { Config, TlsConfig } from './schema.js';

/**
 * Checks the files the configuration names: each must be a readable file, and a certificate must
 * go with its key. Run by `pgdir serve` (at start-up and for a SIGHUP reload) and by
 * `pgdir check-config`, not by every command: management commands never read these files and may
 * run as a user that cannot. The schema already made sure that both files of a pair are given.
 */
export function checkConfigFiles(config: Config): void {
  const issues = [...checkTls('ldap', config.ldap.tls), ...checkTls('http', config.http.tls), ...checkSmtpCa(config)];
  if (issues.length > 0) throw new ConfigError(issues);
}

function checkTls(section: 'ldap' | 'http', tls: TlsConfig): ConfigIssue[] {
  if (tls.cert_file === undefined || tls.key_file === undefined) return [];
  const issues: ConfigIssue[] = [];
  for (const key of ['cert_file', 'key_file'] as const) {
    const file = tls[key] as string;
    const problem = unreadable(file);
    if (problem !== undefined) issues.push({ key: `${section}.tls.${key}`, message: `${file} ${problem}` });
  }
  if (issues.length > 0) return issues;
  try {
    // The same check the listeners make: PEM that parses, and a key that belongs to the certificate.
    createSecureContext({ cert: readFileSync(tls.cert_file), key: readFileSync(tls.key_file) });
    return [];
  } catch (err) {
    const reason = (err as Error).message;
    return [{ key: `${section}.tls`, message: `${tls.cert_file} and ${tls.key_file} are not a usable certificate and key (${reason})` }];
  }
}

/** `smtp.tls.ca_file`: a readable PEM file with at least one certificate. */
function checkSmtpCa(config: Config): ConfigIssue[] {
  const file = config.smtp?.tls.ca_file;
  if (file === undefined) return [];
  const problem = unreadable(file) ?? (readFileSync(file, 'utf8').includes('-----BEGIN CERTIFICATE-----') ? undefined : 'holds no PEM certificate');
  return problem === undefined ? [] : [{ key: 'smtp.tls.ca_file', message: `${file} ${problem}` }];
}

/** Why `file` cannot be read by this process, or undefined when it can. */
function unreadable(file: string): string | undefined {
  try {
    if (!statSync(file).isFile()) return 'is not a file';
    closeSync(openSync(file, 'r'));
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'does not exist';
    if (code === 'EACCES') return `is not readable by this process (uid ${process.getuid?.() ?? '?'}); check its owner and mode`;
    return `cannot be read (${code ?? (err as Error).message})`;
  }
}
