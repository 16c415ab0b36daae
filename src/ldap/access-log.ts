import { formatFilter } from '../domain/filter-format.js';
import { ResultCode } from '../domain/result-code.js';
import type { AccessLogger, AccessLogMode } from '../log/access-logger.js';
import { createFailureGate } from '../log/failure-gate.js';
import type { RequestMessage } from './protocol.js';
import type { LdapConnection } from './server/ldap-handler.js';
import { identityOf } from './session.js';

/**
 * The LDAP access log (`log.access`), in the spirit of slapd's `loglevel stats`: one structured
 * line per finished operation with the connection, the peer, who it was bound as, what it asked and
 * what it got. Never a password: bind credentials are not read here, and filter values on
 * password-like attributes are replaced by `***`. Failures from one address are rate-limited per
 * (address, operation, result) so a brute-force attack cannot fill the disk; the count of what was
 * left out is logged when the window ends.
 */

export interface LdapAccessLog {
  /** `entries`: SearchResultEntry PDUs sent (searches only). */
  record(msg: RequestMessage, conn: LdapConnection, code: number, startedAt: number, entries: number): void;
  /**
   * Writes a line an LDAP worker thread recorded ungated (`gated: false`), through this log's flood
   * limit, so that the limit holds for the daemon, not per thread.
   */
  relay(line: Readonly<Record<string, unknown>>, message: string | undefined): void;
  close(): void;
}

const RESULT_NAMES: readonly string[] = (() => {
  const names: string[] = [];
  for (const [name, code] of Object.entries(ResultCode)) names[code] = name;
  return names;
})();
const SCOPES = ['base', 'one', 'sub'] as const;
/** Results that are answers, not failures: never suppressed. */
const ANSWERS: ReadonlySet<number> = new Set([ResultCode.success, ResultCode.compareFalse, ResultCode.compareTrue, ResultCode.sizeLimitExceeded]);
const MAX_FILTER = 1024;
const SENSITIVE = /\(((?:user|unicode)?password|[a-z0-9-]*secret|[a-z0-9-]*token)((?:[~<>]?=)|(?::[^:=()]*)?:=)[^)]*\)/gi;

/** A filter for the log: sensitive assertion values masked, long ones cut. */
export function loggableFilter(filter: string): string {
  const masked = filter.replace(SENSITIVE, (_m, attr: string, op: string) => `(${attr}${op}***)`);
  return masked.length > MAX_FILTER ? `${masked.slice(0, MAX_FILTER)}…` : masked;
}

/** The operation's own fields, added to its line in place (no object per line besides the line itself). */
function addDetails(line: Record<string, unknown>, msg: RequestMessage): void {
  const r = msg.request;
  switch (r.op) {
    case 'bind':
      line['dn'] = r.name;
      line['method'] = r.auth.kind;
      if (r.auth.kind === 'sasl') line['mechanism'] = r.auth.mechanism;
      return;
    case 'search':
      line['base'] = r.baseObject;
      line['scope'] = SCOPES[r.scope] ?? r.scope;
      line['filter'] = loggableFilter(formatFilter(r.filter));
      line['attrs'] = r.attributes.slice(0, 20);
      return;
    case 'compare':
      line['dn'] = r.entry;
      line['attr'] = r.attribute;
      return;
    case 'extended':
      line['oid'] = r.name;
      return;
    case 'modify':
      line['dn'] = r.object;
      return;
    case 'add':
    case 'delete':
    case 'modifyDN':
      line['dn'] = r.entry;
      return;
    default:
      return;
  }
}

/**
 * One access line, its fields always in this order. Built by adding to one object rather than
 * spreading per-operation parts into it: a bind's line is on the hot path of every admin bind.
 */
function accessLine(msg: RequestMessage, conn: LdapConnection, code: number, startedAt: number, entries: number): Record<string, unknown> {
  const { op } = msg.request;
  const identity = identityOf(conn);
  const line: Record<string, unknown> = {
    conn: conn.id,
    peer: `${conn.remoteAddress}:${conn.remotePort}`,
    tls: conn.secure,
    as: identity.kind === 'anonymous' ? '' : identity.dn,
    op,
    msgid: msg.messageId,
  };
  addDetails(line, msg);
  line['result'] = code;
  line['resultName'] = RESULT_NAMES[code] ?? 'other';
  if (op === 'search') line['entries'] = entries;
  line['ms'] = Math.round((performance.now() - startedAt) * 100) / 100;
  return line;
}

export function createLdapAccessLog(
  mode: AccessLogMode,
  logger: AccessLogger,
  options: { burst?: number; windowMs?: number; gated?: boolean } = {},
): LdapAccessLog | undefined {
  if (mode === 'off') return undefined;
  const gate = createFailureGate(logger, options);
  const admit = (address: string, op: string, code: number): boolean =>
    options.gated === false || ANSWERS.has(code) || gate.admit(`${address}|${op}|${code}`, { peer: address, op, result: code });

  return {
    record(msg, conn, code, startedAt, entries) {
      const { op } = msg.request;
      if (mode === 'binds' && op !== 'bind') return;
      if (!admit(conn.remoteAddress, op, code)) return;
      logger.info(accessLine(msg, conn, code, startedAt, entries), `ldap ${op}`);
    },
    relay(line, message) {
      const peer = String(line['peer'] ?? '');
      const address = peer.slice(0, Math.max(0, peer.lastIndexOf(':')));
      if (admit(address, String(line['op'] ?? ''), Number(line['result'] ?? 0))) logger.info(line, message ?? '');
    },
    close: () => gate.close(),
  };
}
