import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { DirectoryError } from '../domain/errors.js';
import type { HttpAccessLog } from './access-log.js';
import { assertNoNul } from '../domain/storable-text.js';
import { HttpError, toErrorResponse } from './http-error.js';
import type { HttpMetrics } from './http-metrics.js';
import { aliasQuery, deprecationHeaders } from './name-aliases.js';
import { readJson, readText } from './request-body.js';
import type { AnyRoute, Caller, Reply, RequestContext } from './route.js';
import type { Match } from './router.js';
import { check, invalidRequest, type Invalid } from './validate.js';
import { checkCsrf } from './console/csrf.js';

export interface DispatchDeps {
  readonly match: (method: string, path: string) => Match;
  /** Resolves the bearer token of a request to its caller; throws 401. */
  readonly authenticate: (req: IncomingMessage) => Promise<Caller>;
  readonly metrics: HttpMetrics;
  readonly logger: {
    debug(obj: object, msg?: string): void;
    error(obj: object, msg?: string): void;
  };
  /** Largest JSON body accepted (413 beyond). */
  readonly maxBodyBytes: number;
  /** `log.access`; none when off. */
  readonly accessLog?: HttpAccessLog | undefined;
  /** How a console page (`route.page`) answers an error: a redirect to sign-in or an HTML page. */
  readonly pageError?: ((error: unknown, req: IncomingMessage) => Reply | Promise<Reply>) | undefined;
}

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** One request: route → authenticate → read-only check → query → body → handler → reply. */
export async function dispatch(deps: DispatchDeps, req: IncomingMessage, res: ServerResponse, ip: string): Promise<void> {
  const started = performance.now();
  let label = 'unmatched';
  const seen: { caller?: Caller; page?: boolean } = {};
  try {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // A browser asking for a page that does not exist gets the console's HTML 404, not JSON.
    seen.page = !url.pathname.startsWith('/api/') && (req.headers.accept ?? '').includes('text/html');
    const { route, params, successor } = deps.match(req.method ?? 'GET', url.pathname);
    label = route.path;
    seen.page = route.page === true;
    if (successor !== undefined) for (const [name, value] of Object.entries(deprecationHeaders(successor))) res.setHeader(name, value);
    const ctx = await prepare(deps, route, req, url, params, ip, seen);
    send(req, res, await route.handle(ctx));
  } catch (error) {
    const response = toErrorResponse(error);
    if (response.unexpected) deps.logger.error({ err: error, method: req.method, url: req.url }, 'request failed');
    if (seen.page === true && deps.pageError !== undefined) send(req, res, await deps.pageError(error, req));
    else send(req, res, { status: response.status, body: response.body, headers: response.headers });
  } finally {
    const seconds = (performance.now() - started) / 1000;
    deps.metrics.observe(req.method ?? 'GET', label, res.statusCode, seconds);
    deps.accessLog?.record({ method: req.method ?? 'GET', route: label, status: res.statusCode, ms: seconds * 1000, ip, actor: seen.caller?.user.id });
  }
}

async function prepare(
  deps: DispatchDeps,
  route: AnyRoute,
  req: IncomingMessage,
  url: URL,
  params: Record<string, string>,
  ip: string,
  seen: { caller?: Caller; page?: boolean },
): Promise<RequestContext> {
  const caller = route.auth === 'user' ? await deps.authenticate(req) : undefined;
  if (caller !== undefined) seen.caller = caller; // for the access log
  // Before any handler reads the store: PostgreSQL refuses NUL in text (storable-text.ts).
  assertNoNul(params, 'path');
  // A read-only API token can read and sign itself out, nothing else (DESIGN §8).
  if (caller?.token.scope === 'read' && route.method !== 'GET' && route.path !== '/api/v1/auth/logout') {
    throw new DirectoryError('forbidden', 'a read-only token cannot make changes');
  }
  const { query, body } = await readInput(deps, route, req, url);
  checkCsrf(route, req, caller, body); // the one CSRF check, for pages and cookie-authenticated API calls
  return {
    req,
    params,
    query,
    body,
    ip,
    get caller(): Caller {
      if (caller === undefined) throw new DirectoryError('unauthenticated', 'sign in first');
      return caller;
    },
  };
}

/**
 * The validated query and body. Problems in both are reported together (DESIGN §8 error shape,
 * plus `problems`); a text upload is not read when its query is already wrong.
 */
async function readInput(deps: DispatchDeps, route: AnyRoute, req: IncomingMessage, url: URL): Promise<{ query: unknown; body: unknown }> {
  const failed: Invalid[] = [];
  // Every query parameter, declared or not: PostgreSQL refuses NUL in text (storable-text.ts).
  assertNoNul(Object.fromEntries(url.searchParams), 'query');
  let query: unknown;
  if (route.query !== undefined) {
    const aliased = aliasQuery(url.searchParams);
    if (aliased.problems[0] !== undefined) failed.push({ ok: false, problems: aliased.problems, summary: aliased.problems[0].message });
    const checked = check(route.query, aliased.query, 'query', aliased.sentAs);
    if (checked.ok) query = checked.data;
    else failed.push(checked);
  }
  if (failed.length > 0 && route.raw !== undefined) throw invalidRequest(failed);
  let body: unknown;
  if (route.raw !== undefined) body = await readText(req, route.raw.types, route.raw.maxBytes ?? deps.maxBodyBytes);
  else if (route.body !== undefined) {
    const checked = check(route.body, await readJson(req, deps.maxBodyBytes), 'body');
    if (checked.ok) body = checked.data;
    else failed.push(checked);
  }
  if (failed.length > 0) throw invalidRequest(failed);
  return { query, body };
}

function send(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const status = reply.status ?? 200;
  const headers: Record<string, string> = { ...SECURITY_HEADERS, ...reply.headers };
  let payload: string | undefined;
  if (reply.text !== undefined) {
    payload = reply.text;
    headers['content-type'] = reply.contentType ?? 'text/plain; charset=utf-8';
  } else if (reply.body !== undefined && status !== 204) {
    payload = JSON.stringify(reply.body);
    headers['content-type'] = 'application/json; charset=utf-8';
  }
  if (payload !== undefined) headers['content-length'] = String(Buffer.byteLength(payload));
  res.writeHead(status, headers);
  res.end(req.method === 'HEAD' ? undefined : payload);
  // After a refused upload, stop reading the rest of it (the response says Connection: close).
  if (reply.headers?.['connection'] === 'close') {
    const socket = req.socket;
    res.once('finish', () => socket?.destroySoon());
  }
}

export { HttpError };
