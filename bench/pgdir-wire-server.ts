import { parseAllowlist } from '../src/domain/ip-allowlist.js';
import { type LdapServer, createLdapServer } from '../src/ldap/server/ldap-server.js';
import { integerContent, tlv } from './ber.js';
import { Tag } from './ldap-messages.js';

/**
 * The trivial handler on pgdir's own wire engine (src/ldap/server: framing, pgdir's codec decoding
 * every request, scheduling, corked output): binds succeed, searches get one fixed pre-encoded
 * entry plus done. The difference to bench/trivial-server.ts's hand-written loop is the cost of
 * pgdir's connection handling; the difference to slapd is the wire-engine bar of the issue.
 */

const SUCCESS = Buffer.from([0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00]);
const quiet = { info() {}, warn() {}, error() {}, debug() {} };

export async function startPgdirWireServer(certFile: string, keyFile: string, port: number, entry: Buffer): Promise<LdapServer> {
  const done = tlv(Tag.searchDone, SUCCESS);
  const bound = tlv(Tag.bindResponse, SUCCESS);
  const reply = (id: number, op: Buffer): Buffer => tlv(0x30, tlv(0x02, integerContent(id)), op);
  const server = createLdapServer(
    { listen: [`ldaps://127.0.0.1:${port}`], tls: { certFile, keyFile }, allowlist: parseAllowlist(['127.0.0.1']), logger: quiet },
    {
      handle(msg, _conn, out) {
        if (msg.request.op === 'bind') out.send(reply(msg.messageId, bound));
        else if (msg.request.op === 'search') {
          out.send(reply(msg.messageId, entry));
          out.send(reply(msg.messageId, done));
        }
      },
    },
  );
  await server.start();
  return server;
}
