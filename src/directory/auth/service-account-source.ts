import { parseAllowlist, type IpAllowlist } from '../../domain/ip-allowlist.js';
import type { ServiceAccount } from '../../domain/model.js';

/** Parsed `allowedCidrs` per account record; records are replaced, never mutated, on change. */
const parsed = new WeakMap<ServiceAccount, IpAllowlist | null>();

/**
 * Whether a service account may bind from `ip` (DESIGN §3: optional allowed CIDRs). No CIDRs means
 * anywhere (the listener's allowlist still applies). IPv4-mapped IPv6 addresses match as IPv4
 * (ip-allowlist.ts). A stored list that no longer parses allows nothing: fail closed.
 */
export function serviceAccountAllows(account: ServiceAccount, ip: string): boolean {
  if (account.allowedCidrs.length === 0) return true;
  let list = parsed.get(account);
  if (list === undefined) {
    try {
      list = parseAllowlist(account.allowedCidrs);
    } catch {
      list = null;
    }
    parsed.set(account, list);
  }
  return list !== null && list.allows(ip);
}
