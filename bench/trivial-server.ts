import { readFileSync } from 'node:fs';
import { type Server, type TLSSocket, createServer } from 'node:tls';
import { pathToFileURL } from 'node:url';
import { encodeLength, readHeader, str, tlv } from './ber.js';
import { Tag } from './ldap-messages.js';

/**
 * The "trivial" LDAPS server: answers every bind with success and every search with one fixed,
 * pre-encoded user entry plus SearchResultDone, so the benchmark can measure what the Node TLS
 * wire path alone costs next to slapd. Run as its own process (`node --import tsx
 * bench/trivial-server.ts --cert F --key F [--port N] [--engine node|pgdir]`, prints `listening <port>`) so that it does
 * not share an event loop with the load generator.
 *
 * With `--engine pgdir` the same entry is served by pgdir's own wire engine instead
 * (bench/pgdir-wire-server.ts: createLdapServer + a trivial handler), which measures pgdir's codec
 * and connection handling rather than this hand-written loop.
 */

const SUFFIX = 'dc=example,dc=com';
const ID = '0b5e1c61-8d4b-4c0e-9b1f-3f6a2d7c9e10';

function attribute(type: string, ...values: string[]): Buffer {
  return tlv(0x30, str(0x04, type), tlv(0x31, ...values.map((v) => str(0x04, v))));
}

/** The SearchResultEntry protocolOp: the same attributes the point-search case asks slapd for. */
export const FIXED_ENTRY = tlv(
  Tag.searchEntry,
  str(0x04, `cn=uid-${ID},ou=users,${SUFFIX}`),
  tlv(
    0x30,
    attribute('objectClass', 'top', 'person', 'organizationalPerson', 'inetOrgPerson', 'posixAccount', 'shadowAccount'),
    attribute('cn', `uid-${ID}`),
    attribute('uid', 'user00042'),
    attribute('mail', 'user00042@example.com'),
    attribute('displayName', 'Grace Hopper'),
    attribute('givenName', 'Grace'),
    attribute('sn', 'Hopper'),
    attribute('uidNumber', '10041'),
    attribute('gidNumber', '10000'),
    attribute('homeDirectory', '/home/user00042'),
    attribute('loginShell', '/bin/bash'),
    attribute('memberOf', `cn=group0001,ou=groups,${SUFFIX}`, `cn=users,ou=groups,${SUFFIX}`),
    attribute('entryUUID', ID),
  ),
);
const SUCCESS = Buffer.from([0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00]); // resultCode, matchedDN, diagnosticMessage
const SEARCH_DONE = tlv(Tag.searchDone, SUCCESS);
const BIND_OK = tlv(Tag.bindResponse, SUCCESS);

/** LDAPMessage around a pre-encoded protocolOp, echoing the request's messageID octets. */
function reply(id: Buffer, op: Buffer): Buffer {
  const idTlv = Buffer.concat([Buffer.from([0x02, id.length]), id]);
  return Buffer.concat([Buffer.from([0x30]), encodeLength(idTlv.length + op.length), idTlv, op]);
}

function serve(socket: TLSSocket): void {
  let carry = Buffer.alloc(0);
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    let pos = 0;
    const out: Buffer[] = [];
    for (;;) {
      const outer = readHeader(buf, pos);
      if (!outer || outer.start + outer.length > buf.length) break;
      const id = readHeader(buf, outer.start);
      if (!id) break;
      const messageId = buf.subarray(id.start, id.start + id.length);
      const op = buf[id.start + id.length];
      pos = outer.start + outer.length;
      if (op === Tag.bindRequest) out.push(reply(messageId, BIND_OK));
      else if (op === Tag.searchRequest) out.push(reply(messageId, FIXED_ENTRY), reply(messageId, SEARCH_DONE));
      else if (op === Tag.unbindRequest) return void socket.end();
    }
    carry = Buffer.from(buf.subarray(pos));
    if (out.length) socket.write(out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out));
  });
}

export function startTrivialServer(cert: string, key: string, port = 0): Promise<Server> {
  const server = createServer({ cert, key }, serve);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const certFile = arg('cert');
  const keyFile = arg('key');
  if (!certFile || !keyFile) {
    console.error('usage: trivial-server.ts --cert <file> --key <file> [--port <n>] [--engine node|pgdir]');
    process.exit(2);
  }
  const port = Number(arg('port') ?? 0);
  if (arg('engine') === 'pgdir') {
    const { startPgdirWireServer } = await import('./pgdir-wire-server.js');
    const server = await startPgdirWireServer(certFile, keyFile, port, FIXED_ENTRY);
    console.log(`listening ${server.addresses()[0]?.port ?? '?'}`);
    process.on('SIGTERM', () => void server.close(1000).then(() => process.exit(0)));
  } else {
    const server = await startTrivialServer(readFileSync(certFile, 'utf8'), readFileSync(keyFile, 'utf8'), port);
    const address = server.address();
    console.log(`listening ${typeof address === 'object' && address ? address.port : '?'}`);
    process.on('SIGTERM', () => server.close(() => process.exit(0)));
  }
}
