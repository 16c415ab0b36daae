import type { DaemonContext, Service, ServiceFactory } from '../daemon/service.js';
import { VERSION } from '../version.js';
import { createHttpAccessLog } from './access-log.js';
import { createHttpService, type HttpServiceDeps } from './http-service.js';
import type { MetricsRegistry } from '../metrics/metrics-registry.js';
import { pinnedSettings } from '../directory/settings/pinned-settings.js';

/** What the daemon knows only after other services exist (LDAP listeners, the view, shared metrics). */
export type HttpFactoryOptions = Partial<
  Pick<HttpServiceDeps, 'metrics' | 'readiness' | 'readinessCheck' | 'onDirectoryServerChange' | 'external' | 'totp' | 'pinned' | 'tls' | 'connector' | 'ldapEndpoint'>
> & { readonly metrics?: MetricsRegistry };

/**
 * The HTTP service as a daemon ServiceFactory (for DEFAULT_SERVICES in app.ts): deps from the
 * DaemonContext (its one throttle) and the config (`http.listen`, `http.tls` for HTTPS,
 * `ldap.allowlist` as the default allowlist, `ldap.admin_password` pins the admin secret). On
 * SIGHUP the service re-reads the certificate files, like the LDAP listeners (DESIGN §10).
 */
export function httpServiceFactory(options: HttpFactoryOptions = {}): ServiceFactory {
  return (context: DaemonContext): Service => {
    const { config } = context;
    const { cert_file: certFile, key_file: keyFile } = config.http.tls;
    return createHttpService({
      listen: config.http.listen,
      headersTimeoutMs: config.http.headers_timeout,
      requestTimeoutMs: config.http.request_timeout,
      ...(certFile !== undefined && keyFile !== undefined ? { tls: { certFile, keyFile } } : {}),
      directory: context.directory,
      throttle: context.throttle, // the one LDAP binds use (created in the composition root)
      logger: context.logger.child({ component: 'http' }),
      changes: context.changes,
      version: VERSION,
      defaultAllowlist: config.ldap.allowlist,
      metrics: context.metrics,
      accessLog: createHttpAccessLog(config.log.access, context.accessLog),
      ...options,
      pinned: pinnedSettings(config, options.pinned),
    });
  };
}
