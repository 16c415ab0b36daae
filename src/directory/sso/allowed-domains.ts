import { domainToASCII } from 'node:url';
import { invalid } from '../../domain/errors.js';
import { printable } from '../../domain/name-syntax.js';

/** More would be a list of the internet, not of an organisation's domains. */
export const MAX_ALLOWED_DOMAINS = 1000;

// RFC 1035 §2.3.4 / RFC 5890: after IDNA, labels of letters, digits and inner hyphens, ≤ 63 octets.
const ASCII_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * One allowed domain in its stored form: trimmed, lower case, a leading `@` and trailing `.`
 * dropped, internationalised names as their A-labels (UTS #46 / RFC 5891 via WHATWG's
 * domainToASCII), so `Bücher.example` and `xn--bcher-kva.example` are one domain. Exact domains
 * only: a subdomain is not covered by its parent (issue 14).
 */
export function normaliseDomain(input: unknown, field = 'allowedDomains'): string {
  if (typeof input !== 'string') throw invalid(`${field}: each domain must be a string`, field);
  const trimmed = input.trim().toLowerCase().replace(/^@/, '').replace(/\.$/, '');
  const ascii = trimmed === '' || /[\s/:@]/.test(trimmed) ? '' : domainToASCII(trimmed);
  const labels = ascii.split('.');
  if (ascii === '' || ascii.length > 253 || labels.length < 2 || !labels.every((l) => ASCII_LABEL.test(l))) {
    throw invalid(`${field}: "${printable(input)}" is not a domain name (like example.com)`, field);
  }
  return ascii;
}

/** The whole list: an array of domains, normalised, duplicates dropped, order kept. */
export function parseAllowedDomains(input: unknown, field = 'allowedDomains'): string[] {
  if (!Array.isArray(input)) throw invalid(`${field} must be a list of domain names`, field);
  if (input.length > MAX_ALLOWED_DOMAINS) throw invalid(`${field} may hold at most ${MAX_ALLOWED_DOMAINS} domains`, field);
  return [...new Set(input.map((d, i) => normaliseDomain(d, `${field}.${i}`)))];
}

/** The domain of an email address in the stored form, or undefined when it is not one. */
export function emailDomain(email: string): string | undefined {
  const at = email.lastIndexOf('@');
  if (at <= 0) return undefined;
  try {
    return normaliseDomain(email.slice(at + 1));
  } catch {
    return undefined;
  }
}

/** Whether the email's domain is exactly one of `domains` (stored form). */
export function isAllowedEmail(email: string, domains: readonly string[]): boolean {
  const domain = emailDomain(email);
  return domain !== undefined && domains.includes(domain);
}
