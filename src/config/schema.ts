import { z } from 'zod';
import { normalizeName } from '../domain/name-syntax.js';
import { boolean, dn, mapping, duration, hostPort, integer, ipOrCidr, ldapListenUrl, list, text } from './scalars.js';

/*
 * The process-level configuration (DESIGN §10). Every object is strict, so a misspelt key stops
 * start-up with its path. Nested objects use `prefault({})` so that their own defaults apply when
 * the whole object is absent. config/pgdir.example.yaml documents every key with its default and
 * must be kept in step with this file (test/config/config-example.test.ts checks it).
 */

const limits = mapping({
  max_connections: integer(1, 1_000_000).default(1024),
  max_connections_per_ip: integer(1, 1_000_000).default(64),
  idle_timeout: duration().default(900_000),
  max_pdu_bytes: integer(1024, 256 * 1024 * 1024).default(1_048_576),
  max_outstanding: integer(1, 10_000).default(32),
  max_filter_depth: integer(1, 1_000).default(32),
  max_filter_nodes: integer(1, 1_000_000).default(1_000),
});

/** A group name by the directory's rules (lower case, DESIGN §7), e.g. for `ldap.builtin_groups`. */
const groupName = () =>
  text().transform((value, ctx) => {
    try {
      return normalizeName(value, 'group name', 'name');
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
      return z.NEVER;
    }
  });

/**
 * The built-in groups' names in LDAP. Debian and Ubuntu have local groups `users` (gid 100) and
 * `staff` (50): with `files` before `sss`/`ldap` in nsswitch.conf, `getent group users` shows the
 * local one, so sites with NSS clients may rename them (e.g. `ldap-users`). Defaults stay
 * Cloudron's names. The entryUUIDs and gidNumbers (9000, 9001) do not change with the name.
 */
const builtinGroups = mapping({
  users: groupName().default('users'),
  admins: groupName().default('admins'),
}).refine((names) => names.users !== names.admins, { message: 'users and admins must have different names', path: ['admins'] });

/**
 * A PEM certificate chain and its private key. Both or neither: a certificate without its key (or
 * the reverse) is a mistake that must stop start-up, not fall back silently to another certificate.
 */
const tls = (section: 'ldap' | 'http') =>
  mapping({
    cert_file: text().optional(),
    key_file: text().optional(),
  }).superRefine((value, ctx) => {
    if ((value.cert_file === undefined) === (value.key_file === undefined)) return;
    const [missing, given] = value.cert_file === undefined ? ['cert_file', 'key_file'] : ['key_file', 'cert_file'];
    ctx.addIssue({ code: 'custom', path: [missing], message: `is required when ${section}.tls.${given} is set (give both files or neither)` });
  });

const ldap = mapping({
  suffix: dn().default('dc=example,dc=com'),
  listen: list(ldapListenUrl()).default(['ldaps://127.0.0.1:6360']),
  tls: tls('ldap').prefault({}),
  allowlist: list(ipOrCidr()).default(['127.0.0.1', '::1']),
  /** From `admin_password` or, preferably, `admin_password_file`. */
  admin_password: text().optional(),
  user_search: z.enum(['self', 'self-only-members', 'all', 'none'], { error: 'must be one of self, self-only-members, all, none' }).default('self'),
  size_limit: integer(0, 10_000_000).default(1_000),
  page_size_max: integer(1, 1_000_000).default(1_000),
  home_directory_prefix: text().default('/home'),
  login_shell: text().default('/bin/bash'),
  totp_suffix: boolean().default(false),
  builtin_groups: builtinGroups.prefault({}),
  limits: limits.prefault({}),
  /**
   * Threads serving LDAP, each with its own view (docs/performance.md). Default 1 (the
   * single-threaded server): on the shared 2-CPU test machine (load 10–28) a second worker helped
   * point searches with the C client in half the runs but cost 6–178% more CPU per admin bind and lost
   * admin-bind throughput at 32 connections in 3 of 4 runs (a fifth run, load 33–41: 42–223% more
   * CPU per admin bind, throughput lost at 1, 8 and 32), so more workers stay opt-in: set it
   * to the cores LDAP may use (docs/performance.md "How to choose").
   */
  workers: integer(1, 256).default(1),
});

/** XOAUTH2 for Microsoft 365 / Google Workspace relays: a refresh token, or a file holding an access token. */
const smtpOAuth2 = mapping({
  user: text(),
  client_id: text().optional(),
  client_secret: text().optional(),
  refresh_token: text().optional(),
  /** Token endpoint; absent: Google's. Microsoft 365: https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token */
  token_url: text().optional(),
  /** Re-read for every mail; something else (a sidecar, a timer) keeps it current. */
  access_token_file: text().optional(),
}).superRefine((value, ctx) => {
  if (value.access_token_file !== undefined) return;
  for (const key of ['client_id', 'client_secret', 'refresh_token'] as const) {
    if (value[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'is required unless access_token_file is set' });
  }
});

/** `sso.oidc` (issue 14): OpenID Connect sign-in; `client_secret_file` keeps the secret out of the YAML. */
const oidc = mapping({
  enabled: boolean().default(true),
  preset: z.enum(['google', 'generic'], { error: 'must be one of google, generic' }).default('generic'),
  issuer: text().optional(),
  client_id: text(),
  client_secret: text(),
  button_label: text().optional(),
  groups_claim: text().optional(),
  scopes: text().optional(),
});

const smtp = mapping({
  host: text(),
  port: integer(1, 65535).default(587),
  secure: boolean().default(false),
  username: text().optional(),
  password: text().optional(),
  from: text(),
  /** Base of the links in mails, e.g. https://pgdir.example.com (never taken from a request's Host). */
  public_url: text().optional(),
  /** Refuse to send without TLS: STARTTLS must succeed (else anyone on the path reads the links). */
  require_tls: boolean().default(false),
  /** The name given in EHLO; absent: the host of public_url, else the machine's host name. */
  ehlo_name: text().optional(),
  tls: mapping({
    /** PEM file of a private CA to trust for the SMTP server's certificate (besides the system CAs). */
    ca_file: text().optional(),
    reject_unauthorized: boolean().default(true),
  }).prefault({}),
  oauth2: smtpOAuth2.optional(),
});

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const configSchema = mapping({
  /** Shown to people: the issuer of 2FA entries in authenticator apps is "pgdir <name>". */
  name: text().optional(),
  data_dir: text().default('./data'),
  shutdown_timeout: duration().default(10_000),
  database: mapping({
    url: text().optional(),
    /** Idle time before TCP keepalive probes on every PostgreSQL socket. */
    keepalive: duration().default(10_000),
    /** How often the view's revision is compared with the change log's head (DESIGN §2.3's safety net). */
    revision_check_interval: duration().default(5_000),
  }).prefault({}),
  /** Readiness (/readyz, `pgdir healthcheck`, `pgdir status`). */
  health: mapping({
    /** Longest wait for the database in one readiness check; a slower answer counts as unreachable. */
    check_timeout: duration().default(2_000),
    /** Unready when the directory view has been behind the change log's head this long (0: any lag). */
    max_lag: duration().default(15_000),
  }).prefault({}),
  ldap: ldap.prefault({}),
  http: mapping({
    listen: hostPort().default('127.0.0.1:8080'),
    /** Absent: plain HTTP (fine on 127.0.0.1 behind a TLS-terminating proxy). */
    tls: tls('http').prefault({}),
    /** Slow clients: all request headers within this time, the whole request within request_timeout. */
    headers_timeout: duration().refine((ms) => ms >= 1000, 'must be at least 1s').default(10_000),
    request_timeout: duration().refine((ms) => ms >= 1000, 'must be at least 1s').default(60_000),
  }).prefault({}),
  log: z
    .strictObject({
      level: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
      format: z.enum(['auto', 'json', 'pretty'], { error: 'must be one of auto, json, pretty' }).default('auto'),
      /** One line per LDAP operation / HTTP request (docs/operations.md "Access log"). */
      access: z.enum(['off', 'binds', 'all'], { error: 'must be one of off, binds, all' }).default('binds'),
    })
    .prefault({}),
  /** nice: the bcrypt threads' CPU priority against the LDAP threads (docs/performance.md, "bcrypt binds under search load"). */
  bcrypt: mapping({ cost: integer(4, 31).default(10), nice: integer(0, 19).default(10) }).prefault({}),
  auth_throttle: z
    .strictObject({
      max_failures: integer(1, 1_000_000).default(10),
      window: duration().default(900_000),
      cooldown: duration().default(900_000),
      /** Sign-in attempts in progress per source address, and overall, before `busy` (429 / LDAP 51). */
      max_pending_per_source: integer(1, 100_000).default(8),
      max_pending: integer(1, 1_000_000).default(128),
    })
    .prefault({}),
  /** docs/operations.md "Retention"; 0 keeps that kind forever. */
  retention: mapping({
    audit: duration().default(400 * 86_400_000),
    change_log: duration().default(7 * 86_400_000),
    interval: duration().default(3_600_000),
  }).prefault({}),
  smtp: smtp.optional(),
  /**
   * Single sign-on pinned in the YAML (docs/sso.md, docs/oidc.md): `sso.saml.metadata_file` pins the
   * identity provider's metadata XML, `sso.oidc` the OpenID Connect client; the API then reports them locked.
   */
  sso: mapping({
    saml: mapping({ metadata: text().optional() }).prefault({}),
    oidc: oidc.optional(),
  }).prefault({}),
  /** Validated by src/connector when it starts; only its shape (a mapping) is checked here. */
  connector: z.record(z.string(), z.unknown(), { error: 'must be a mapping' }).optional(),
});

type DeepReadonly<T> = T extends (infer I)[]
  ? readonly DeepReadonly<I>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** The validated, frozen configuration. Durations are milliseconds; data_dir is absolute. */
export type Config = DeepReadonly<z.output<typeof configSchema>>;
export type LdapConfig = Config['ldap'];
export type HttpConfig = Config['http'];
/** `ldap.tls` and `http.tls`: both files or neither (absolute after loading). */
export type TlsConfig = Config['http']['tls'];
export type LogConfig = Config['log'];
export type DatabaseConfig = Config['database'];
export type AuthThrottleConfig = Config['auth_throttle'];
export type HealthConfig = Config['health'];
export type SmtpConfig = NonNullable<Config['smtp']>;
export type OidcConfig = NonNullable<NonNullable<Config['sso']>['oidc']>;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Keys whose value may instead be read from a file named by `<key>_file` (trimmed at load), so that
 * secrets stay out of the YAML and the environment.
 */
export const SECRET_KEYS: readonly (readonly string[])[] = [
  ['database', 'url'],
  ['ldap', 'admin_password'],
  ['smtp', 'password'],
  ['sso', 'saml', 'metadata'],
  ['smtp', 'oauth2', 'client_secret'],
  ['smtp', 'oauth2', 'refresh_token'],
  ['connector', 'bind_password'],
  ['sso', 'oidc', 'client_secret'],
];
