import { describe, expect, it } from 'vitest';
import { isLoopback } from '../../src/ldap/ops/bind.js';

/**
 * A plain-text bind is refused with 13 from non-loopback addresses (DESIGN §6). A dual-stack
 * listener reports IPv4 clients as IPv4-mapped IPv6 (RFC 4291 §2.5.5.2), which must count too.
 */
describe('isLoopback (plain-text bind rule)', () => {
  it.each(['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1', '::FFFF:127.9.8.7', '0:0:0:0:0:ffff:127.0.0.1', '::1%lo'])('%s is loopback', (ip) => {
    expect(isLoopback(ip)).toBe(true);
  });

  it.each(['10.0.0.1', '128.0.0.1', '::ffff:10.0.0.1', '::ffff:7f00:1x', '::2', 'fe80::1', '::127.0.0.1', '', 'localhost'])('%s is not', (ip) => {
    expect(isLoopback(ip)).toBe(false);
  });
});
