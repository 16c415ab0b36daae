import type { IpAllowlist } from '../../domain/ip-allowlist.js';
import type { SharedConnectionCounts } from './shared-connection-counts.js';

export type DenyReason = 'allowlist' | 'maxConnections' | 'maxConnectionsPerIp';

/**
 * Decides at accept time, before any TLS byte, whether a connection may proceed (DESIGN §6), and
 * keeps the live counts the caps are checked against.
 */
export class Admission {
  private readonly perIp = new Map<string, number>();
  private total = 0;
  readonly denied: Record<DenyReason, number> = { allowlist: 0, maxConnections: 0, maxConnectionsPerIp: 0 };

  constructor(
    public allowlist: IpAllowlist,
    private readonly maxConnections: number,
    private readonly maxConnectionsPerIp: number,
    /** Set with several LDAP workers: the caps then count every worker's connections. */
    private readonly shared?: SharedConnectionCounts,
  ) {}

  /** Admits (and counts) the connection, or returns why not. `address` is already normalised. */
  admit(address: string): DenyReason | undefined {
    const reason = this.allowlist.allows(address) ? this.take(address) : 'allowlist';
    if (reason !== undefined) {
      this.denied[reason] += 1;
      return reason;
    }
    this.total += 1;
    this.perIp.set(address, (this.perIp.get(address) ?? 0) + 1);
    return undefined;
  }

  release(address: string): void {
    this.shared?.release(address);
    this.total -= 1;
    const n = (this.perIp.get(address) ?? 1) - 1;
    if (n <= 0) this.perIp.delete(address);
    else this.perIp.set(address, n);
  }

  get connections(): number {
    return this.total;
  }

  private take(address: string): DenyReason | undefined {
    if (this.shared !== undefined) return this.shared.take(address, this.maxConnections, this.maxConnectionsPerIp);
    if (this.total >= this.maxConnections) return 'maxConnections';
    if ((this.perIp.get(address) ?? 0) >= this.maxConnectionsPerIp) return 'maxConnectionsPerIp';
    return undefined;
  }
}
