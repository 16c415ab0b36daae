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
import { search } from './ops/search.js';
import { SearchWriter } from './ops/search-writer.js';
import { rootDseEntry, subschemaEntry } from './ops/special-entries.js';
import { WRITE_REFUSED } from './ops/write-refused.js';
import { Oid, type Control, type LdapResult, type RequestMessage, type SearchRequest } from './protocol.js';
import { responseFor, resultFromError } from './server/error-response.js';
import type { LdapConnection, LdapHandler, ResponseSink } from './server/ldap-handler.js';

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

  /** Answers one request; returns the result code sent (for the metrics). */
  async function dispatch(msg: RequestMessage, conn: LdapConnection, out: ResponseSink, signal: AbortSignal, track: { writer?: SearchWriter }): Promise<number> {
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
        return reply(out, msg, await bind(request, conn, options.binds));
      case 'search': {
        const writer = new SearchWriter(msg.messageId, out, signal, options.view);
        track.writer = writer;
        try {
          const { result, controls } = await search(msg as RequestMessage<SearchRequest>, conn, writer, searchDeps);
          await writer.finish(encodeResult(msg.messageId, 'searchDone', result, controls));
          return result.resultCode;
        } catch (err) {
          // Unexpected faults go to the connection server, which logs them and answers 80.
          if (!isExpected(err)) throw err;
          const result = resultFromError(err);
          await writer.finish(encodeResult(msg.messageId, 'searchDone', result));
          return result.resultCode;
        }
      }
      case 'compare':
        return reply(out, msg, compare(request, conn, options.view, options.userSearch));
      case 'extended': {
        const outcome = await extended(request, conn, options);
        out.send(encodeExtendedResponse(msg.messageId, outcome.result, outcome.name, outcome.value));
        return outcome.result.resultCode;
      }
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
  return {
    async handle(msg, conn, out, signal) {
      const startedAt = timed ? performance.now() : 0;
      let code: number = ResultCode.other; // what the server answers for a rethrown fault
      let throttled = false;
      const track: { writer?: SearchWriter } = {};
      try {
        code = await dispatch(msg, conn, out, signal, track);
      } catch (err) {
        if (!isExpected(err)) throw err;
        throttled = err instanceof ThrottledBindFailure;
        const result = resultFromError(err);
        code = result.resultCode;
        if (msg.request.op !== 'search') reply(out, msg, result);
      } finally {
        if (metrics !== undefined) {
          const { request } = msg;
          metrics.operation(request.op, code, startedAt, signal.aborted);
          if (request.op === 'bind') metrics.bind(request.name === '', code, throttled);
        }
        accessLog?.record(msg, conn, code, startedAt, track.writer?.sent ?? 0);
      }
    },
    closed(conn) {
      dropAllPaged(conn);
    },
  };
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
