import type { BindService } from '../directory/auth/bind-service.js';
import type { UserSearchPolicy } from '../directory/auth/identity.js';
import type { UserService } from '../directory/users/user-service.js';
import type { DirectoryView } from '../directory/view/index.js';
import { ResultCode } from '../domain/result-code.js';
import type { Store } from '../store/store.js';
import { encodeExtendedResponse, encodeResult } from './codec/index.js';
import { ThrottledBindFailure } from '../directory/auth/bind-service.js';
import type { LdapAccessLog } from './access-log.js';
import type { LdapMetrics } from './ldap-metrics.js';
import { bind } from './ops/bind.js';
import { compare } from './ops/compare.js';
import { extended } from './ops/extended.js';
import { dropAllPaged } from './ops/paged-cursors.js';
import { search, type SearchDeps, type SearchOutcome } from './ops/search.js';
import { SearchWriter } from './ops/search-writer.js';
import { rootDseEntry, subschemaEntry } from './ops/special-entries.js';
import { WRITE_REFUSED } from './ops/write-refused.js';
import { Oid, type Control, type LdapResult, type RequestMessage, type SearchRequest } from './protocol.js';
import { responseFor, resultFromError } from './server/error-response.js';
import type { LdapConnection, LdapHandler, OperationSignal, ResponseSink } from './server/ldap-handler.js';

export interface DirectoryHandlerOptions {
  readonly view: DirectoryView;
  readonly binds: BindService;
  readonly users: UserService;
  readonly store: Store;
  readonly suffix: string;
  readonly userSearch: UserSearchPolicy;
  readonly sizeLimit: number;
  readonly pageSizeMax: number;
  readonly vendorVersion: string;
  /** Operation counts, latencies and bind outcomes (GET /metrics); none when absent. */
  readonly metrics?: LdapMetrics;
  /** `log.access`: one line per operation; none when off. */
  readonly accessLog?: LdapAccessLog | undefined;
}

/** Controls pgdir understands per operation; any other critical one answers 12 (RFC 4511 §4.1.11). */
const SUPPORTED: Readonly<Record<string, ReadonlySet<string>>> = {
  search: new Set([Oid.pagedResults, Oid.manageDsaIT]),
  default: new Set([Oid.manageDsaIT]),
};

function unsupportedCritical(msg: RequestMessage): Control | undefined {
  if (msg.controls.length === 0) return undefined;
  const supported = SUPPORTED[msg.request.op] ?? SUPPORTED['default'];
  return msg.controls.find((c) => c.critical && !supported?.has(c.oid));
}

/** Turns decoded LDAP operations into directory answers: the one handler pgdir serves. */
export function createDirectoryHandler(options: DirectoryHandlerOptions): LdapHandler {
  const subschema = subschemaEntry();
  const rootDses = new Map<boolean, ReturnType<typeof rootDseEntry>>();
  const rootDse = (startTls: boolean): ReturnType<typeof rootDseEntry> => {
    let held = rootDses.get(startTls);
    if (held === undefined) {
      held = rootDseEntry({ suffix: options.view.dit.suffixDn, startTls, vendorVersion: options.vendorVersion });
      rootDses.set(startTls, held);
    }
    return held;
  };

  const searchDeps = { ...options, rootDse, subschema };

  /**
   * Answers one request; returns the result code sent (for the metrics), or a promise of it when
   * the operation has to wait (a bind's hashing, the socket's backpressure). May throw.
   */
  function dispatch(msg: RequestMessage, conn: LdapConnection, out: ResponseSink, signal: OperationSignal, track: Track): number | Promise<number> {
    const { request } = msg;
    const critical = unsupportedCritical(msg);
    if (critical !== undefined) {
      return reply(out, msg, { resultCode: ResultCode.unavailableCriticalExtension, diagnosticMessage: `critical control ${critical.oid} is not supported` });
    }
    switch (request.op) {
      case 'bind':
        // Paged cursors carry the access of whoever opened them: a (re-)bind ends them all, so a
        // cookie cannot outlive the identity it was issued to (RFC 4511 §4.2.1, RFC 2696 §3).
        dropAllPaged(conn);
        return replyWhenDone(out, msg, bind(request, conn, options.binds));
      case 'search': {
        const writer = new SearchWriter(msg.messageId, out, signal, options.view);
        track.writer = writer;
        return runSearch(msg as RequestMessage<SearchRequest>, conn, writer, searchDeps);
      }
      case 'compare':
        return reply(out, msg, compare(request, conn, options.view, options.userSearch));
      case 'extended':
        return extended(request, conn, options).then((outcome) => {
          out.send(encodeExtendedResponse(msg.messageId, outcome.result, outcome.name, outcome.value));
          return outcome.result.resultCode;
        });
      case 'add':
      case 'modify':
      case 'delete':
      case 'modifyDN':
        return reply(out, msg, WRITE_REFUSED);
      default:
        return ResultCode.success; // unbind and abandon are answered by the connection server
    }
  }

  const { metrics, accessLog } = options;
  const timed = metrics !== undefined || accessLog !== undefined;

  /** Metrics and the access line of a finished operation. */
  function record(msg: RequestMessage, conn: LdapConnection, signal: OperationSignal, track: Track, code: number, throttled: boolean): void {
    if (metrics !== undefined) {
      const { request } = msg;
      metrics.operation(request.op, code, track.startedAt, signal.aborted);
      if (request.op === 'bind') metrics.bind(request.name === '', code, throttled);
    }
    accessLog?.record(msg, conn, code, track.startedAt, track.writer?.sent ?? 0);
  }

  /**
   * A throw or rejection: errors that carry a result code are answers (sent here; a search's Done
   * was sent by runSearch); anything else is rethrown for the connection server to log and answer 80.
   */
  function failed(err: unknown, msg: RequestMessage, conn: LdapConnection, out: ResponseSink, signal: OperationSignal, track: Track): void {
    if (!isExpected(err)) {
      record(msg, conn, signal, track, ResultCode.other, false);
      throw err;
    }
    const result = resultFromError(err);
    if (msg.request.op !== 'search') reply(out, msg, result);
    record(msg, conn, signal, track, result.resultCode, err instanceof ThrottledBindFailure);
  }

  return {
    handle(msg, conn, out, signal) {
      const track: Track = { startedAt: timed ? performance.now() : 0, writer: undefined };
      let code: number | Promise<number>;
      try {
        code = dispatch(msg, conn, out, signal, track);
      } catch (err) {
        return failed(err, msg, conn, out, signal, track);
      }
      if (typeof code === 'number') return record(msg, conn, signal, track, code, false);
      return code.then(
        (c) => record(msg, conn, signal, track, c, false),
        (err: unknown) => failed(err, msg, conn, out, signal, track),
      );
    },
    closed(conn) {
      dropAllPaged(conn);
    },
  };
}

/** Per operation: when it started (for the metrics and the access log) and its search writer. */
interface Track {
  readonly startedAt: number;
  writer: SearchWriter | undefined;
}

/** A search and its SearchResultDone; an expected error becomes the Done's result. */
function runSearch(msg: RequestMessage<SearchRequest>, conn: LdapConnection, writer: SearchWriter, deps: SearchDeps): number | Promise<number> {
  let outcome: SearchOutcome | Promise<SearchOutcome>;
  try {
    outcome = search(msg, conn, writer, deps);
    if (!(outcome instanceof Promise)) return sendDone(writer, msg, outcome.result, outcome.controls);
  } catch (err) {
    return searchFailed(err, writer, msg);
  }
  return outcome.then((o) => sendDone(writer, msg, o.result, o.controls)).catch((err: unknown) => searchFailed(err, writer, msg));
}

function sendDone(writer: SearchWriter, msg: RequestMessage, result: LdapResult, controls?: readonly Control[]): number | Promise<number> {
  const waiting = writer.finish(encodeResult(msg.messageId, 'searchDone', result, controls));
  return waiting === undefined ? result.resultCode : waiting.then(() => result.resultCode);
}

/** Unexpected faults go to the connection server, which logs them and answers 80. */
function searchFailed(err: unknown, writer: SearchWriter, msg: RequestMessage): number | Promise<number> {
  if (!isExpected(err)) throw err;
  return sendDone(writer, msg, resultFromError(err));
}

function replyWhenDone(out: ResponseSink, msg: RequestMessage, result: LdapResult | Promise<LdapResult>): number | Promise<number> {
  return result instanceof Promise ? result.then((r) => reply(out, msg, r)) : reply(out, msg, result);
}

function reply(out: ResponseSink, msg: RequestMessage, result: LdapResult): number {
  const pdu = responseFor(msg, result);
  if (pdu !== undefined) out.send(pdu);
  return result.resultCode;
}

/** Errors that carry their own result code are answers, not faults: no stack in the log. */
function isExpected(err: unknown): boolean {
  return err instanceof Error && 'resultCode' in err && (err as { resultCode: number }).resultCode !== ResultCode.other;
}
