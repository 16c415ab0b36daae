import type { AccessLogger, AccessLogMode } from '../log/access-logger.js';
import { createFailureGate } from '../log/failure-gate.js';

/**
 * The HTTP half of the access log (`log.access`): method, route pattern (never the raw path or
 * query, which may carry reset or invite tokens), status, duration, client address and the actor
 * (user id) when the request was authenticated. `binds` logs sign-in traffic only: routes under
 * /api/v1/auth/ and every 401; `all` logs every request. Failures (4xx/5xx) from one address are
 * rate-limited per (address, route, status) like the LDAP half.
 */
export interface HttpAccessEntry {
  readonly method: string;
  readonly route: string;
  readonly status: number;
  readonly ms: number;
  readonly ip: string;
  readonly actor?: string | undefined;
}

export interface HttpAccessLog {
  record(entry: HttpAccessEntry): void;
  close(): void;
}

export function createHttpAccessLog(mode: AccessLogMode, logger: AccessLogger, options: { burst?: number; windowMs?: number } = {}): HttpAccessLog | undefined {
  if (mode === 'off') return undefined;
  const gate = createFailureGate(logger, options);
  return {
    record(entry) {
      if (mode === 'binds' && !entry.route.startsWith('/api/v1/auth/') && entry.status !== 401) return;
      if (entry.status >= 400) {
        const sample = { ip: entry.ip, method: entry.method, route: entry.route, status: entry.status };
        if (!gate.admit(`${entry.ip}|${entry.method}|${entry.route}|${entry.status}`, sample)) return;
      }
      logger.info({ ...entry, ms: Math.round(entry.ms * 100) / 100 }, 'http request');
    },
    close: () => gate.close(),
  };
}
