import { connect as tcpConnect } from 'node:net';
import { connect } from 'node:tls';
import { Client } from 'ldapts';
import { expect, it } from 'vitest';
import { nonLoopbackAddress, USERS_DN } from '../harness.js';
import { resultCode, type DirRef } from './context.js';

type Handshake = { secured: boolean; error?: string };

/** A TLS handshake from `localAddress` to the LDAPS port: did the server ever complete one? */
function handshake(port: number, ca: string, localAddress: string): Promise<Handshake> {
  return new Promise((resolve) => {
    // TCP from the given source address first, then TLS over that socket.
    const tcp = tcpConnect({ host: '127.0.0.1', port, localAddress });
    const socket = connect({ socket: tcp, ca: [ca], servername: 'localhost' });
    const timer = setTimeout(() => done({ secured: false, error: 'no answer within 5 s' }), 5_000);
    const done = (h: Handshake) => {
      clearTimeout(timer);
      socket.destroy();
      tcp.destroy();
      resolve(h);
    };
    socket.once('secureConnect', () => done({ secured: true }));
    socket.once('error', (err) => done({ secured: false, error: err.message }));
    tcp.once('error', (err) => done({ secured: false, error: err.message }));
    socket.once('close', () => done({ secured: false, error: 'closed' }));
  });
}

/** DESIGN §6: allowlist before the handshake; plain binds only over TLS or from loopback. */
export function networkCases(dir: DirRef): void {
  it('allowlist [127.0.0.1]: a connection from 127.0.0.2 gets no TLS handshake; 127.0.0.1 does', async () => {
    const allowed = await handshake(dir().ldapsPort, dir().ca, '127.0.0.1');
    expect(allowed).toEqual({ secured: true });
    const refused = await handshake(dir().ldapsPort, dir().ca, '127.0.0.2');
    expect(refused.secured).toBe(false);
    // Closed at accept (ECONNRESET / close), not a handshake that failed on the certificate.
    expect(refused.error).not.toBe('no answer within 5 s');
    expect(refused.error).not.toMatch(/certificate|altname|self[- ]signed|alert/i);
    // The daemon still serves allowed clients afterwards.
    expect(await handshake(dir().ldapsPort, dir().ca, '127.0.0.1')).toEqual({ secured: true });
  });

  it('a plain-text simple bind on the ldap:// listener from loopback is allowed', async () => {
    const alice = dir().user('alice');
    const r = await dir().ldap('ldapwhoami', ['-H', dir().ldapUrl ?? '', '-D', `uid=alice,${USERS_DN}`, '-w', alice.password]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`dn:${alice.dn}`);
  });

  it.skipIf(nonLoopbackAddress() === undefined)('a plain-text simple bind from a non-loopback address answers 13; after StartTLS it works', async () => {
    const remote = dir().remotePlain;
    expect(remote).toBeDefined();
    const alice = dir().user('alice');
    const plain = await dir().ldap('ldapwhoami', ['-H', remote?.url ?? '', '-D', `uid=alice,${USERS_DN}`, '-w', alice.password]);
    expect(plain.code).toBe(13);
    const anonymous = await dir().ldap('ldapwhoami', ['-H', remote?.url ?? '']);
    expect(anonymous.code, anonymous.stderr).toBe(0);
    const client = new Client({ url: remote?.url ?? '', timeout: 10_000 });
    try {
      // The test certificate names 127.0.0.1 and localhost only, so the host check is skipped here.
      await client.startTLS({ ca: [dir().ca], checkServerIdentity: () => undefined });
      expect(await resultCode(client.bind(alice.dn, alice.password))).toBe(0);
    } finally {
      await client.unbind().catch(() => undefined);
    }
  });
}
