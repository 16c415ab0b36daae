import { ResultCode } from '../../src/domain/result-code.js';
import { parseAllowlist, type IpAllowlist } from '../../src/domain/ip-allowlist.js';
import { encodeExtendedResponse, encodeMessage, encodeResult, encodeEntryBody } from '../../src/ldap/codec/index.js';
import { Oid, type RequestMessage } from '../../src/ldap/protocol.js';
import {
  createLdapServer,
  type LdapConnection,
  type LdapHandler,
  type LdapLimits,
  type LdapServer,
  type ResponseSink,
  type ServerLogger,
  type TlsSource,
} from '../../src/ldap/server/ldap-server.js';

/** Log lines captured from the server, for assertions. */
export interface LogLine {
  level: 'info' | 'warn' | 'error' | 'debug';
  obj: object;
  msg: string | undefined;
}

export function recordingLogger(lines: LogLine[] = []): ServerLogger & { lines: LogLine[] } {
  const at = (level: LogLine['level']) => (obj: object, msg?: string) => void lines.push({ level, obj, msg });
  return { lines, info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') };
}

/** The entries `cn=many` streams: big enough (2 KiB) that 10k of them overflow every buffer. */
const BIG_ENTRY_BODY = encodeEntryBody({
  objectName: 'cn=big,dc=example,dc=com',
  attributes: [{ type: 'description', values: ['x'.repeat(2048)] }],
});

const ENTRY_BODY = encodeEntryBody({
  objectName: 'cn=fixed,dc=example,dc=com',
  attributes: [{ type: 'cn', values: ['fixed'] }, { type: 'objectClass', values: ['top', 'person'] }],
});

/** What the trivial handler saw, for assertions. */
export interface HandlerLog {
  started: { id: number; op: string; base?: string; at: number; secure: boolean; conn: number; remoteAddress: string }[];
  aborted: number[];
  finished: number[];
  closedConnections: number;
  /** Per streaming search: entries sent before the output closed. */
  streamed: number[];
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });

async function search(msg: RequestMessage, base: string, out: ResponseSink, signal: AbortSignal, log: HandlerLog) {
  const done = () => out.send(encodeResult(msg.messageId, 'searchDone', { resultCode: ResultCode.success }));
  if (base === 'cn=throw') throw new Error('boom');
  if (base.startsWith('cn=slow')) {
    await sleep(Number(base.split('=')[2] ?? 2000), signal);
    if (signal.aborted) log.aborted.push(msg.messageId);
  }
  if (base === 'cn=many') {
    let sent = 0;
    for (; sent < 10_000 && !out.closed; sent++) {
      if (!out.send(encodeMessage(msg.messageId, BIG_ENTRY_BODY))) await out.drained();
    }
    log.streamed.push(sent);
  } else {
    out.send(encodeMessage(msg.messageId, ENTRY_BODY));
  }
  done();
}

/**
 * A trivial directory: bind succeeds, WhoAmI answers anonymous, and searches answer one fixed
 * entry. Special bases: `cn=slow=<ms>` waits (abortable), `cn=many` streams 10k entries with
 * backpressure, `cn=throw` throws.
 */
export function trivialHandler(log: HandlerLog): LdapHandler {
  return {
    handle(msg: RequestMessage, conn: LdapConnection, out: ResponseSink, signal: AbortSignal) {
      const { request } = msg;
      const base = request.op === 'search' ? request.baseObject : undefined;
      const { id: connId, secure, remoteAddress } = conn;
      const seen = { id: msg.messageId, op: request.op, at: Date.now(), secure, conn: connId, remoteAddress };
      log.started.push({ ...seen, ...(base === undefined ? {} : { base }) });
      const finish = () => void log.finished.push(msg.messageId);
      if (request.op === 'bind') {
        out.send(encodeResult(msg.messageId, 'bind', { resultCode: ResultCode.success }));
      } else if (request.op === 'search') {
        return search(msg, request.baseObject, out, signal, log).then(finish);
      } else if (request.op === 'extended' && request.name === Oid.whoAmI) {
        out.send(encodeExtendedResponse(msg.messageId, { resultCode: ResultCode.success }, undefined, Buffer.alloc(0)));
      } else if (request.op === 'extended') {
        out.send(encodeExtendedResponse(msg.messageId, { resultCode: ResultCode.protocolError }));
      } else {
        out.send(encodeResult(msg.messageId, 'modify', { resultCode: ResultCode.unwillingToPerform }));
      }
      finish();
      return undefined;
    },
    closed() {
      log.closedConnections += 1;
    },
  };
}

export interface TestServer {
  server: LdapServer;
  log: HandlerLog;
  logger: ReturnType<typeof recordingLogger>;
  /** Port of the first listener of each kind. */
  ldapPort: number;
  ldapsPort: number;
}

export async function startTestServer(options: {
  listen?: string[];
  tls?: TlsSource;
  allowlist?: IpAllowlist;
  limits?: Partial<LdapLimits>;
}): Promise<TestServer> {
  const log: HandlerLog = { started: [], aborted: [], finished: [], closedConnections: 0, streamed: [] };
  const logger = recordingLogger();
  const server = createLdapServer(
    {
      listen: options.listen ?? ['ldap://127.0.0.1:0'],
      ...(options.tls === undefined ? {} : { tls: options.tls }),
      allowlist: options.allowlist ?? parseAllowlist(['127.0.0.0/8']),
      limits: { idleTimeoutMs: 30_000, ...options.limits },
      logger,
    },
    trivialHandler(log),
  );
  await server.start();
  const port = (scheme: string) => server.addresses().find((a) => a.url.startsWith(`${scheme}://`))?.port ?? -1;
  return { server, log, logger, ldapPort: port('ldap'), ldapsPort: port('ldaps') };
}
