import type { ConnectorPort } from '../daemon/connector-port.js';
import type { AuthThrottle } from '../directory/auth/auth-throttle.js';
import type { ExternalPasswordVerifier } from '../directory/auth/bind-service.js';
import type { DirectoryServices } from '../directory/directory-services.js';
import type { ReadinessReport } from '../directory/health/readiness.js';
import type { TotpVerifier } from './auth/login.js';
import type { MetricsRegistry } from '../metrics/metrics-registry.js';
import type { ActorSettings } from '../directory/access/actor-services.js';
import type { DirectoryServerSettings, PinnedSettings } from '../directory/settings/directory-settings.js';
import type { Actor } from '../domain/actor.js';

/** Where LDAP clients reach this daemon (the console shows the `ldapsearch` line and the certificate). */
export interface LdapEndpoint {
  /** The bound listener URLs (`ldaps://0.0.0.0:636`). */
  readonly urls: readonly string[];
  readonly suffix: string;
  /** The PEM certificate the LDAPS listeners present. */
  readonly certFile: string | undefined;
}

/** Everything the route modules share (built once by createHttpService). */
export interface ApiContext {
  readonly directory: DirectoryServices;
  readonly throttle: AuthThrottle;
  readonly metrics: MetricsRegistry;
  readonly version: string;
  readonly sessionTtlMs: number;
  readonly maxImportBytes: number;
  readonly pinned: PinnedSettings;
  /** Defaults for settings never stored (the YAML's values). */
  readonly defaults: { readonly allowlist: string };
  /** The settings use cases as `actor` may call them (each asks may() first). */
  settingsFor(actor: Actor): ActorSettings;
  readonly readiness: Readonly<Record<string, () => boolean | Promise<boolean>>>;
  /** GET /readyz: the same function `pgdir healthcheck` and `pgdir status` use in a daemon. */
  readonly readinessCheck: () => Promise<ReadinessReport>;
  readonly onDirectoryServerChange: ((settings: DirectoryServerSettings) => void | Promise<void>) | undefined;
  readonly external: ExternalPasswordVerifier | undefined;
  readonly totp: TotpVerifier | undefined;
  /** The external directory connector, when the daemon runs one. */
  readonly connector?: ConnectorPort | undefined;
  /** The LDAP listeners of this daemon, when it runs them. */
  readonly ldapEndpoint?: (() => LdapEndpoint) | undefined;
}
