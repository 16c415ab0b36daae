/** Slots of the per-address table: a power of two (the index is a mask of the hash). */
const SLOTS = 1 << 16;
/** Index of the total, of the last connection id handed out, and of the first per-address slot. */
const TOTAL = 0;
const LAST_ID = 1;
const FIRST_SLOT = 2;

/**
 * Live connection counts shared by every LDAP worker thread (`ldap.workers` > 1), so that
 * `max_connections` and `max_connections_per_ip` hold for the daemon, not per thread: one
 * SharedArrayBuffer, updated with Atomics at accept and close: the total, the connection ids (one
 * sequence for the daemon, so the access log's `conn` names one connection), and counts per address
 * hash. Two addresses whose hashes collide share a slot: they
 * are then counted together, which can only refuse early (at 65,536 slots, rarely), never admit
 * more than the cap.
 */
export class SharedConnectionCounts {
  private readonly counts: Int32Array;

  /** A new, zeroed table to hand to every worker (`new SharedConnectionCounts(buffer)` there). */
  static allocate(): SharedArrayBuffer {
    return new SharedArrayBuffer((SLOTS + FIRST_SLOT) * Int32Array.BYTES_PER_ELEMENT);
  }

  constructor(readonly buffer: SharedArrayBuffer) {
    this.counts = new Int32Array(buffer);
  }

  /** Counts the connection in, or says which cap it would cross (and counts nothing). */
  take(address: string, maxTotal: number, maxPerIp: number): 'maxConnections' | 'maxConnectionsPerIp' | undefined {
    if (Atomics.add(this.counts, TOTAL, 1) >= maxTotal) {
      Atomics.sub(this.counts, TOTAL, 1);
      return 'maxConnections';
    }
    const slot = slotOf(address);
    if (Atomics.add(this.counts, slot, 1) >= maxPerIp) {
      Atomics.sub(this.counts, slot, 1);
      Atomics.sub(this.counts, TOTAL, 1);
      return 'maxConnectionsPerIp';
    }
    return undefined;
  }

  release(address: string): void {
    Atomics.sub(this.counts, slotOf(address), 1);
    Atomics.sub(this.counts, TOTAL, 1);
  }

  get total(): number {
    return Atomics.load(this.counts, TOTAL);
  }

  /** The next connection id, unique across the workers (1, 2, 3, …; wraps after 2^31 − 1). */
  nextId(): number {
    return (Atomics.add(this.counts, LAST_ID, 1) + 1) & 0x7fffffff;
  }
}

/** FNV-1a over the address's characters, into the per-address slots. */
function slotOf(address: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < address.length; i++) h = Math.imul(h ^ address.charCodeAt(i), 0x01000193);
  return FIRST_SLOT + ((h >>> 0) & (SLOTS - 1));
}
