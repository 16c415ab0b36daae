import type { DaemonContext, Service } from '../daemon/service.js';
import { VERSION } from '../version.js';
import type { Config } from '../config/schema.js';
import { openAdminSecret } from '../directory/auth/admin-secret.js';
import { createBindService, type AutoCreator, type ExternalPasswordVerifier } from '../directory/auth/bind-service.js';
import { createDirectoryView, type DirectoryView } from '../directory/view/index.js';
import { parseAllowlist } from '../domain/ip-allowlist.js';
import { ensureSelfSignedCert, type TlsFiles } from '../tls/self-signed-cert.js';
import { createLdapAccessLog, type LdapAccessLog } from './access-log.js';
import { encodeEntryBody } from './codec/index.js';
import { createDirectoryHandler } from './directory-handler.js';
import { createLdapMetrics } from './ldap-metrics.js';
import { createAppBindRecorder } from '../directory/apps/app-bind-recorder.js';
import { createLdapServer, type LdapLimits, type LdapServer } from './server/ldap-server.js';
import type { SharedConnectionCounts } from './server/shared-connection-counts.js';
import { readDirectoryServerState } from '../directory/settings/directory-server-state.js';
import { pinnedSettings } from '../directory/settings/pinned-settings.js';

/** The LDAP side of `pgdir serve`: the directory view, the handler and the listeners. */
export interface LdapService extends Service {
  readonly view: DirectoryView;
  readonly server: LdapServer;
  /** `log.access` of LDAP (undefined when off); worker threads' lines are relayed through it. */
  readonly accessLog: LdapAccessLog | undefined;
  /** True once the view is loaded and the listeners accept connections. */
  readonly ready: boolean;
  /** Re-reads the directory-server settings (allowlist, enabled) and applies them now. */
  applySettings(): Promise<void>;
  /** Resolves once the settings announced on the change feed so far are applied (applying them now if due). */
  settingsApplied(): Promise<void>;
}

export async function createLdapService(
  context: DaemonContext,
  options: {
    external?: ExternalPasswordVerifier | undefined;
    autoCreate?: AutoCreator | undefined;
    /** Set when several LDAP workers share the listeners (`ldap.workers` > 1; app/ldap-workers.ts). */
    /** `worker`: this is a worker thread; its access lines are gated by the main thread (relay). */
    cluster?: { readonly reusePort: boolean; readonly sharedCounts: SharedConnectionCounts; readonly worker?: boolean } | undefined;
  } = {},
): Promise<LdapService> {
  const { config, logger, store, directory } = context;
  const ldap = config.ldap;
  const log = logger.child({ component: 'ldap' });
  const view = createDirectoryView({
    store,
    suffix: ldap.suffix,
    homePrefix: ldap.home_directory_prefix,
    loginShell: ldap.login_shell,
    builtinNames: ldap.builtin_groups,
    logger: log,
    encode: encodeEntryBody,
  });
  const adminSecret = await openAdminSecret({ store, dataDir: config.data_dir, pinnedSecret: ldap.admin_password, logger: log });
  const metrics = createLdapMetrics(context.metrics);
  const appBinds = createAppBindRecorder(store, context.metrics, log);
  const binds = createBindService({ view, hasher: context.hasher, adminSecret, throttle: context.throttle, external: options.external, autoCreate: options.autoCreate, lifecycle: directory.lifecycle, totpSuffix: ldap.totp_suffix, appBinds, appPasswords: directory.appPasswords });
  const accessLog = createLdapAccessLog(config.log.access, context.accessLog, { gated: options.cluster?.worker !== true });
  const handler = createDirectoryHandler({
    view,
    binds,
    users: directory.users,
    store,
    suffix: ldap.suffix,
    userSearch: ldap.user_search,
    sizeLimit: ldap.size_limit,
    pageSizeMax: ldap.page_size_max,
    vendorVersion: VERSION,
    metrics,
    accessLog,
  });
  const tls = await tlsFiles(config, log);
  const server = createLdapServer(
    { listen: ldap.listen, tls, allowlist: parseAllowlist(ldap.allowlist), limits: limitsOf(config), logger: log, reusePort: options.cluster?.reusePort, sharedCounts: options.cluster?.sharedCounts },
    handler,
  );
  metrics.observeServer(() => server.stats());
  let ready = false;
  let yamlAllowlist = ldap.allowlist;
  const applySettings = async (): Promise<void> => {
    const state = await readDirectoryServerState(store, pinnedSettings(config), yamlAllowlist);
    server.setAllowlist(state.allowlist);
    if (!state.enabled) log.warn('the directory server is disabled in the settings: refusing LDAP connections');
  };
  // Another replica (or the API) may change the allowlist: follow the change feed, coalesced. The
  // feed is the one way settings reach the listeners; the API only waits for it (settingsApplied).
  let pending: NodeJS.Timeout | undefined;
  let lastApply: Promise<void> = Promise.resolve();
  const applyPending = (): Promise<void> => {
    clearTimeout(pending);
    pending = undefined;
    lastApply = applySettings().catch((err: unknown) => log.error({ err }, 'cannot apply the directory server settings'));
    return lastApply;
  };
  const unsubscribe = context.changes.subscribe(() => {
    pending ??= setTimeout(() => void applyPending(), 50);
  });
  return {
    name: 'ldap',
    view,
    server,
    accessLog,
    get ready() {
      return ready;
    },
    applySettings,
    settingsApplied: () => (pending === undefined ? lastApply : applyPending()),
    async start() {
      await view.load();
      await applySettings();
      await server.start();
      ready = true;
      log.info({ listen: server.addresses().map((a) => a.url), entries: view.stats() }, 'LDAP listening');
    },
    async reload(next) {
      // SIGHUP: new certificate files and allowlist without dropping connections (DESIGN §10).
      yamlAllowlist = next.ldap.allowlist;
      await applySettings();
      await server.reloadTls();
    },
    async close(deadlineMs) {
      ready = false;
      unsubscribe();
      clearTimeout(pending);
      await server.close(deadlineMs);
      await appBinds.close(); // the last binds' audit rows (issue 16), before the store closes
      accessLog?.close();
      view.close();
    },
  };
}

async function tlsFiles(config: Config, log: { warn(o: object, m?: string): void }): Promise<TlsFiles> {
  const { cert_file: certFile, key_file: keyFile } = config.ldap.tls;
  if (certFile !== undefined && keyFile !== undefined) return { certFile, keyFile };
  const made = await ensureSelfSignedCert(config.data_dir);
  log.warn(
    { certFile: made.certFile },
    'ldap.tls is not configured: serving a self-signed certificate for localhost (set ldap.tls.cert_file and key_file for production; `pgdir certificate` prints it for clients to trust)',
  );
  return { certFile: made.certFile, keyFile: made.keyFile };
}

function limitsOf(config: Config): Partial<LdapLimits> {
  const l = config.ldap.limits;
  return {
    maxConnections: l.max_connections,
    maxConnectionsPerIp: l.max_connections_per_ip,
    idleTimeoutMs: l.idle_timeout,
    maxPduBytes: l.max_pdu_bytes,
    maxOutstanding: l.max_outstanding,
    maxFilterDepth: l.max_filter_depth,
    maxFilterNodes: l.max_filter_nodes,
  };
}
