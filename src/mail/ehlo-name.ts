import { isIP } from 'node:net';
import { hostname } from 'node:os';

/** An address as an EHLO argument: an address literal (RFC 5321 §4.1.3), a name as it is. */
function asDomain(host: string): string {
  const bare = host.replace(/^\[|\]$/g, '');
  const kind = isIP(bare);
  if (kind === 4) return `[${bare}]`;
  if (kind === 6) return `[IPv6:${bare}]`;
  return host;
}

/**
 * The name pgdir gives in EHLO (RFC 5321 §4.1.1.1: the client's fully-qualified domain name):
 * the host of `public_url` (the name this directory is reached by), else the machine's host name.
 * Strict relays refuse a made-up word such as `pgdir`; set `smtp.ehlo_name` when neither fits.
 */
export function defaultEhloName(publicUrl?: string | null): string {
  if (publicUrl !== undefined && publicUrl !== null) {
    try {
      const host = new URL(publicUrl).hostname;
      if (host !== '') return asDomain(host);
    } catch {
      // not a URL: fall back to the machine's name
    }
  }
  return asDomain(hostname() || 'localhost');
}
