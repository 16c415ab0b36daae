/**
 * CPU cost of one access-log line (`log.access: all`) on the operation's path, through the writer
 * `pgdir serve` uses (log/create-access-logger.ts: lines formatted by hand, 32 KiB writes to stdout).
 *   node --import tsx bench/access-log.ts > /dev/null
 * Prints µs of CPU per search line and per bind line on stderr; compare with the server's CPU per
 * operation (tens of µs over LDAPS).
 */
import { parseFilter } from '../src/domain/filter-parse.js';
import { createLdapAccessLog } from '../src/ldap/access-log.js';
import type { RequestMessage } from '../src/ldap/protocol.js';
import type { LdapConnection } from '../src/ldap/server/ldap-handler.js';
import { createAccessLogSink } from '../src/log/create-access-logger.js';
import { createLogger } from '../src/log/create-logger.js';

const main = createLogger({ level: 'info', format: 'json', destination: 1 });
const sink = createAccessLogSink({ level: 'info', format: 'json', access: 'all' }, main);
const log = createLdapAccessLog('all', sink.logger);
if (log === undefined) throw new Error('access log off');
const conn: LdapConnection = {
  id: 7, remoteAddress: '127.0.0.1', remotePort: 40_000, secure: true, listenerUrl: 'ldaps://127.0.0.1:6360', plainListenerExists: false,
  session: { identity: { kind: 'admin', dn: 'cn=admin,ou=system,dc=example,dc=com' } },
};
const search = {
  messageId: 2, controls: [],
  request: { op: 'search', baseObject: 'ou=users,dc=example,dc=com', scope: 2, derefAliases: 0, sizeLimit: 0, timeLimit: 0, typesOnly: false,
    filter: parseFilter('(&(objectClass=posixAccount)(uid=user4711))'), attributes: ['uid', 'mail', 'memberOf'] },
} as unknown as RequestMessage;
const bind = {
  messageId: 1, controls: [], request: { op: 'bind', version: 3, name: 'cn=admin,ou=system,dc=example,dc=com', auth: { kind: 'simple', password: Buffer.from('x') } },
} as unknown as RequestMessage;

function run(msg: RequestMessage, n: number): number {
  const started = process.cpuUsage();
  for (let i = 0; i < n; i++) log!.record(msg, conn, 0, performance.now(), 1);
  const used = process.cpuUsage(started);
  return (used.user + used.system) / n;
}
for (const [name, msg] of [['search', search], ['bind', bind]] as const) {
  run(msg, 20_000); // warm up
  const perLine = Math.min(run(msg, 200_000), run(msg, 200_000), run(msg, 200_000));
  process.stderr.write(`access log (all), ${name} line: ${perLine.toFixed(2)} µs CPU (best of 3 × 200,000)\n`);
}
log.close();
sink.close();
