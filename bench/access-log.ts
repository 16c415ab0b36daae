/**
 * Cost of one LDAP access-log line (`log.access: all`) on the operation's path: the record() call
 * with pino writing JSON synchronously, as `pgdir serve` does with `log.format: json`.
 *   node --import tsx bench/access-log.ts [destination, default /dev/null]
 * Compare the µs per line with the server's CPU per operation (docs/performance.md).
 */
import { openSync } from 'node:fs';
import pino from 'pino';
import { createLdapAccessLog } from '../src/ldap/access-log.js';
import { parseFilter } from '../src/domain/filter-parse.js';
import type { RequestMessage } from '../src/ldap/protocol.js';
import type { LdapConnection } from '../src/ldap/server/ldap-handler.js';

const fd = openSync(process.argv[2] ?? '/dev/null', 'w');
const logger = pino({ level: 'info', base: { pid: process.pid } }, pino.destination({ fd, sync: true })).child({ component: 'access' });
const log = createLdapAccessLog('all', logger);
if (log === undefined) throw new Error('access log off');
const conn: LdapConnection = {
  id: 7, remoteAddress: '127.0.0.1', remotePort: 40_000, secure: true, listenerUrl: 'ldaps://127.0.0.1:6360', plainListenerExists: false,
  session: { identity: { kind: 'admin', dn: 'cn=admin,ou=system,dc=example,dc=com' } },
};
const msg = {
  messageId: 2, controls: [],
  request: { op: 'search', baseObject: 'ou=users,dc=example,dc=com', scope: 2, derefAliases: 0, sizeLimit: 0, timeLimit: 0, typesOnly: false,
    filter: parseFilter('(&(objectClass=posixAccount)(uid=user4711))'), attributes: ['uid', 'mail', 'memberOf'] },
} as unknown as RequestMessage;

function run(n: number): number {
  const started = process.cpuUsage();
  for (let i = 0; i < n; i++) log!.record(msg, conn, 0, performance.now(), 1);
  const used = process.cpuUsage(started);
  return (used.user + used.system) / n;
}
run(20_000); // warm up
const perLine = Math.min(run(200_000), run(200_000), run(200_000));
console.log(`access log (all): ${perLine.toFixed(2)} µs CPU per search line (best of 3 × 200,000)`);
log.close();
