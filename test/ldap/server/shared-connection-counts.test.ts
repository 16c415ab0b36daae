import { describe, expect, it } from 'vitest';
import { Admission } from '../../../src/ldap/server/admission.js';
import { SharedConnectionCounts } from '../../../src/ldap/server/shared-connection-counts.js';
import { parseAllowlist } from '../../../src/domain/ip-allowlist.js';

describe('SharedConnectionCounts (connection caps across LDAP workers)', () => {
  it('holds the total and per-address caps for every Admission sharing the table', () => {
    const buffer = SharedConnectionCounts.allocate();
    const allow = parseAllowlist(['127.0.0.0/8']);
    const [a, b] = [new Admission(allow, 5, 3, new SharedConnectionCounts(buffer)), new Admission(allow, 5, 3, new SharedConnectionCounts(buffer))];
    expect(a.admit('127.0.0.1')).toBeUndefined();
    expect(b.admit('127.0.0.1')).toBeUndefined();
    expect(a.admit('127.0.0.1')).toBeUndefined();
    expect(b.admit('127.0.0.1')).toBe('maxConnectionsPerIp');
    expect(b.admit('127.0.0.2')).toBeUndefined();
    expect(a.admit('127.0.0.3')).toBeUndefined();
    expect(b.admit('127.0.0.4')).toBe('maxConnections');
    expect(new SharedConnectionCounts(buffer).total).toBe(5);
    a.release('127.0.0.1');
    expect(b.admit('127.0.0.1')).toBeUndefined();
    expect(b.admit('10.0.0.1')).toBe('allowlist');
    expect(a.denied).toEqual({ allowlist: 0, maxConnections: 0, maxConnectionsPerIp: 0 });
    expect(b.denied).toEqual({ allowlist: 1, maxConnections: 1, maxConnectionsPerIp: 1 });
    for (const ip of ['127.0.0.1', '127.0.0.1', '127.0.0.3']) a.release(ip);
    for (const ip of ['127.0.0.1', '127.0.0.2']) b.release(ip);
    expect(new SharedConnectionCounts(buffer).total).toBe(0);
  });

  it('hands out one sequence of connection ids to every worker', () => {
    const buffer = SharedConnectionCounts.allocate();
    const [a, b] = [new SharedConnectionCounts(buffer), new SharedConnectionCounts(buffer)];
    expect([a.nextId(), b.nextId(), a.nextId(), b.nextId()]).toEqual([1, 2, 3, 4]);
    // Ids live in their own slot: they do not count as connections.
    expect(a.total).toBe(0);
  });
});
