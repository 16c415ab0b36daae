import { execFile } from 'node:child_process';

/**
 * OpenLDAP's command-line clients (ldap-utils) as the e2e tests drive them: real TLS against the
 * test CA (LDAPTLS_REQCERT=demand), no system or user ldap.conf, and the exit code kept, since
 * these tools exit with the LDAP result code of the failed operation (e.g. 49, 32, 4).
 */
export type LdapTool = 'ldapsearch' | 'ldapwhoami' | 'ldapcompare' | 'ldappasswd';

export interface ToolResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runLdapTool(tool: LdapTool, args: readonly string[], caFile: string, timeoutMs = 15_000): Promise<ToolResult> {
  const env = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    LDAPTLS_CACERT: caFile,
    LDAPTLS_REQCERT: 'demand',
    // Neither /etc/ldap/ldap.conf nor a developer's ~/.ldaprc may change what the tools send.
    LDAPCONF: '/dev/null',
    LDAPRC: '/dev/null/none',
    HOME: '/nonexistent',
  };
  return new Promise((resolve, reject) => {
    execFile(tool, [...args], { env, timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err !== null && typeof err.code !== 'number') {
        reject(new Error(`${tool} ${args.join(' ')} did not run: ${err.message}\n${stderr}`));
        return;
      }
      resolve({ code: err === null ? 0 : (err.code as number), stdout, stderr });
    });
  });
}

/** One entry of ldapsearch's LDIF output; attribute names exactly as the server sent them. */
export interface LdifEntry {
  readonly dn: string;
  readonly attrs: Record<string, string[]>;
}

/** Unfolds continuation lines (RFC 2849: a line starting with one space continues the previous). */
function unfold(text: string): string[] {
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith(' ') && lines.length > 0) lines[lines.length - 1] += line.slice(1);
    else lines.push(line);
  }
  return lines;
}

function decodeValue(rest: string): string {
  if (rest.startsWith(':')) return Buffer.from(rest.slice(1).trim(), 'base64').toString('utf8');
  return rest.startsWith(' ') ? rest.slice(1) : rest;
}

/**
 * Parses LDIF (as ldapsearch prints it) into entries, ignoring comments and the `search:` /
 * `result:` trailer lines of non-`-LLL` output. Base64 values (`::`) are decoded as UTF-8.
 */
export function parseLdif(text: string): LdifEntry[] {
  const entries: LdifEntry[] = [];
  let current: { dn: string; attrs: Record<string, string[]> } | undefined;
  for (const line of unfold(text)) {
    if (line === '' || line.startsWith('#')) {
      current = undefined;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon);
    const value = decodeValue(line.slice(colon + 1));
    if (name === 'dn') {
      current = { dn: value, attrs: {} };
      entries.push(current);
    } else if (current !== undefined) {
      (current.attrs[name] ??= []).push(value);
    }
  }
  return entries;
}

/** The `pagedresults: cookie=...` lines ldapsearch prints after each page (`-E pr=N/noprompt`), in order. */
export function pagedCookies(text: string): string[] {
  return [...text.matchAll(/^(?:# )?pagedresults: cookie=(.*)$/gm)].map((m) => m[1] ?? '');
}

/** The `result: N ...` and `matchedDN: ...` trailer lines of ldapsearch output without -LLL. */
export function searchTrailer(text: string): { result?: number; matchedDn?: string; text?: string } {
  const result = /^result: (\d+)/m.exec(text)?.[1];
  const matchedDn = /^matchedDN: (.*)$/m.exec(text)?.[1];
  const message = /^text: (.*)$/m.exec(text)?.[1];
  return {
    ...(result === undefined ? {} : { result: Number(result) }),
    ...(matchedDn === undefined ? {} : { matchedDn }),
    ...(message === undefined ? {} : { text: message }),
  };
}
