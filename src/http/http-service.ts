import { readFile } from 'node:fs/promises';
import type { AuthThrottle } from '../directory/auth/auth-throttle.js';
import type { ConnectorPort } from '../daemon/connector-port.js';
import type { ExternalPasswordVerifier } from '../directory/auth/bind-service.js';
import type { DirectoryServices } from '../directory/directory-services.js';
import { createReadiness, type ReadinessReport } from '../directory/health/readiness.js';
import type { ApiContext, LdapEndpoint } from './api-context.js';
import { createAuthenticator } from './auth/authenticate.js';
import { requireEnrolment } from './auth/mandatory-enrolment.js';
import type { TotpVerifier } from './auth/login.js';
import { createHttpMetrics } from './http-metrics.js';
import type { HttpAccessLog } from './access-log.js';
import { createHttpServer, type HttpServer, type HttpServerLogger } from './http-server.js';
import { createMetricsRegistry, type MetricsRegistry } from '../metrics/metrics-registry.js';
import { parseListen } from './parse-listen.js';
import type { AnyRoute } from './route.js';
import { createRouter } from './router.js';
import { apiRoutes } from './routes/api-routes.js';
import { createConsole } from './console/console-routes.js';
import { endSessionsOfDisabledUsers } from './session-reaper.js';
import { settingsForActor } from '../directory/access/actor-services.js';
import type { DirectoryServerSettings, PinnedSettings } from '../directory/settings/directory-settings.js';
import { createSettingsUseCases } from '../directory/settings/settings-service.js';

export interface HttpServiceDeps {
  /** `http.listen`, host:port (`[::1]:8080` for IPv6; port 0 picks a free port). */
  readonly listen: string;
  /** PEM files: serve HTTPS (reloaded by `reload`). */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  readonly directory: DirectoryServices;
  /** The throttle LDAP binds use, so that failed logins count against the same limits. */
  readonly throttle: AuthThrottle;
  readonly logger: HttpServerLogger & { warn(obj: object, msg?: string): void };
  /** Shared registry rendered at /metrics (created when absent). */
  readonly metrics?: MetricsRegistry;
  /** Announced revisions (the daemon's ChangeFeed); defaults to the store's own feed. */
  readonly changes?: { subscribe(listener: (revision: number) => void): () => void };
  readonly version?: string;
  /** Settings set in the YAML: reported as locked, changes refused with 409. */
  readonly pinned?: PinnedSettings;
  /** The allowlist used while none is stored (the YAML's `ldap.allowlist`). */
  readonly defaultAllowlist?: readonly string[];
  /** Extra /readyz checks, e.g. `{ view: () => ldap.view.loaded }` (when no `readinessCheck` is given). */
  readonly readiness?: Readonly<Record<string, () => boolean | Promise<boolean>>>;
  /** The daemon's one readiness function (also behind `pgdir healthcheck` and `pgdir status`). */
  readonly readinessCheck?: () => Promise<ReadinessReport>;
  /** Called after the directory-server settings changed through the API (apply to LDAP listeners). */
  readonly onDirectoryServerChange?: (settings: DirectoryServerSettings) => void | Promise<void>;
  /** Pass-through password check for users mirrored from an external directory. */
  readonly external?: ExternalPasswordVerifier;
  readonly totp?: TotpVerifier;
  /** The external directory connector, for the sync routes. */
  readonly connector?: ConnectorPort;
  /** The LDAP listeners (for the console's directory-server page). */
  readonly ldapEndpoint?: () => LdapEndpoint;
  /** Login session lifetime (default 12 h). */
  readonly sessionTtlMs?: number;
  /** `log.access` for HTTP requests; none when off. */
  readonly accessLog?: HttpAccessLog | undefined;
  /** Largest JSON body (default 1 MiB) and import body (default 16 MiB). */
  readonly maxBodyBytes?: number;
  readonly maxImportBytes?: number;
  /** `http.headers_timeout` and `http.request_timeout` (slow-client bounds; defaults 10 s and 60 s). */
  readonly headersTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
}

export interface HttpService {
  readonly name: 'http';
  readonly metrics: MetricsRegistry;
  readonly routes: readonly AnyRoute[];
  start(): Promise<void>;
  /** The bound address; valid after start. */
  address(): { host: string; port: number; url: string };
  reload?(config?: unknown): Promise<void>;
  close(deadlineMs: number): Promise<void>;
}

/** The admin HTTP sidecar (DESIGN §8) as a daemon Service. */
export function createHttpService(deps: HttpServiceDeps): HttpService {
  const metrics = deps.metrics ?? createMetricsRegistry();
  const pinned = deps.pinned ?? {};
  const defaults = { allowlist: (deps.defaultAllowlist ?? ['127.0.0.1', '::1']).join('\n') };
  const settings = createSettingsUseCases({ store: deps.directory.store, pinned, defaultAllowlist: defaults.allowlist });
  const api: ApiContext = {
    directory: deps.directory,
    throttle: deps.throttle,
    metrics,
    version: deps.version ?? '0.0.0',
    sessionTtlMs: deps.sessionTtlMs ?? 12 * 60 * 60 * 1000,
    maxImportBytes: deps.maxImportBytes ?? 16 * 1024 * 1024,
    pinned,
    defaults,
    settingsFor: (actor) => settingsForActor(settings, actor, deps.directory.store),
    readiness: deps.readiness ?? {},
    readinessCheck:
      deps.readinessCheck ?? createReadiness({ store: deps.directory.store, timeoutMs: 2_000, probes: deps.readiness ?? {} }),
    onDirectoryServerChange: deps.onDirectoryServerChange,
    external: deps.external,
    totp: deps.totp,
    connector: deps.connector,
    ldapEndpoint: deps.ldapEndpoint,
  };
  const webConsole = createConsole(api);
  const routes = apiRoutes(api, webConsole.routes);
  const { host, port } = parseListen(deps.listen);
  let server: HttpServer | undefined;
  let stopReaper: (() => void) | undefined;
  const readTls = async () =>
    deps.tls === undefined ? undefined : { cert: await readFile(deps.tls.certFile), key: await readFile(deps.tls.keyFile) };

  return {
    name: 'http',
    metrics,
    routes,
    async start() {
      server = createHttpServer({
        host,
        port,
        ...(deps.tls === undefined ? {} : { tls: await readTls() }),
        match: createRouter(routes),
        authenticate: requireEnrolment(createAuthenticator(deps.directory.store), deps.directory.store, api.pinned),
        metrics: createHttpMetrics(metrics),
        logger: deps.logger,
        maxBodyBytes: deps.maxBodyBytes ?? 1024 * 1024,
        accessLog: deps.accessLog,
        pageError: webConsole.pageError,
        ...(deps.headersTimeoutMs === undefined ? {} : { headersTimeoutMs: deps.headersTimeoutMs }),
        ...(deps.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: deps.requestTimeoutMs }),
      });
      await server.start();
      stopReaper = endSessionsOfDisabledUsers(deps.directory.store, deps.changes ?? deps.directory.store, deps.logger);
      deps.logger.info({ url: server.address().url }, 'HTTP API listening');
    },
    address() {
      if (server === undefined) throw new Error('the HTTP service is not started');
      return server.address();
    },
    async reload() {
      const tls = await readTls();
      if (tls !== undefined) server?.setTls(tls);
    },
    async close(deadlineMs) {
      stopReaper?.();
      await server?.close(deadlineMs);
      deps.accessLog?.close();
    },
  };
}
