/**
 * The one migration set for PostgreSQL and PGlite: an ordered list of named, immutable steps.
 * Never edit or reorder a step once released; append a new one. Each step runs in its own
 * transaction (migrate.ts) and is recorded in schema_migrations by name.
 *
 * Later steps this schema is shaped for (DESIGN §7, §11): API sessions and tokens, hashed
 * invite/reset/impersonation tokens (`user_tokens(user_id, kind, token_hash, expires_at, used_at)`),
 * app passwords, teams (groups.kind = 'team', memberships.level already present with a default).
 */
export interface Migration {
  readonly name: string;
  readonly statements: readonly string[];
}

const ROLE_CHECK = `role IN ('user', 'usermanager', 'mailmanager', 'admin', 'owner')`;
const SOURCE_CHECK = `source IN ('local', 'ldap')`;

const initial: Migration = {
  name: '0001_initial',
  statements: [
    // Numbers for posixAccount/posixGroup: from 10000, never reused (sequences never go back).
    `CREATE SEQUENCE uid_number_seq START 10000 MINVALUE 10000`,
    `CREATE SEQUENCE gid_number_seq START 10000 MINVALUE 10000`,
    `CREATE TABLE users (
      id uuid PRIMARY KEY,
      username text,
      email text NOT NULL,
      fallback_email text,
      display_name text NOT NULL DEFAULT '',
      role text NOT NULL DEFAULT 'user' CHECK (${ROLE_CHECK}),
      active boolean NOT NULL DEFAULT true,
      source text NOT NULL DEFAULT 'local' CHECK (${SOURCE_CHECK}),
      source_id text,
      source_dn text,
      password_hash text,
      uid_number integer NOT NULL DEFAULT nextval('uid_number_seq') UNIQUE,
      totp_secret_encrypted text,
      totp_enabled boolean NOT NULL DEFAULT false,
      totp_last_step bigint,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      password_changed_at timestamptz
    )`,
    `ALTER SEQUENCE uid_number_seq OWNED BY users.uid_number`,
    // Case-insensitive uniqueness (DESIGN §7); constraint names are mapped to fields in db-errors.ts.
    `CREATE UNIQUE INDEX users_username_lower_key ON users (lower(username)) WHERE username IS NOT NULL`,
    `CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email))`,
    `CREATE UNIQUE INDEX users_source_id_key ON users (source, source_id) WHERE source_id IS NOT NULL`,
    `CREATE TABLE groups (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      description text NOT NULL DEFAULT '',
      gid_number integer NOT NULL DEFAULT nextval('gid_number_seq') UNIQUE,
      source text NOT NULL DEFAULT 'local' CHECK (${SOURCE_CHECK}),
      source_id text,
      kind text NOT NULL DEFAULT 'group' CHECK (kind IN ('group', 'team')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `ALTER SEQUENCE gid_number_seq OWNED BY groups.gid_number`,
    `CREATE UNIQUE INDEX groups_name_lower_key ON groups (lower(name))`,
    `CREATE UNIQUE INDEX groups_source_id_key ON groups (source, source_id) WHERE source_id IS NOT NULL`,
    `CREATE TABLE memberships (
      group_id uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      level text NOT NULL DEFAULT 'member'
        CHECK (level IN ('member', 'viewer', 'user', 'editor', 'publisher', 'admin')),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (group_id, user_id)
    )`,
    `CREATE INDEX memberships_user_id_idx ON memberships (user_id)`,
    `CREATE TABLE settings (
      key text PRIMARY KEY,
      value jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE service_accounts (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      secret_hash text NOT NULL,
      allowed_cidrs text[] NOT NULL DEFAULT '{}',
      privileged boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE UNIQUE INDEX service_accounts_name_lower_key ON service_accounts (lower(name))`,
    `CREATE TABLE audit_log (
      id bigserial PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      actor text,
      action text NOT NULL,
      target text,
      result text NOT NULL DEFAULT 'ok' CHECK (result IN ('ok', 'denied', 'failed')),
      ip text,
      details jsonb NOT NULL DEFAULT '{}'
    )`,
    `CREATE INDEX audit_log_action_idx ON audit_log (action, id)`,
    // revision comes from store_revision, not a sequence: see change-log.ts for why.
    `CREATE TABLE change_log (
      revision bigint PRIMARY KEY,
      kind text NOT NULL,
      key text NOT NULL,
      op text NOT NULL CHECK (op IN ('upsert', 'delete')),
      at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE store_revision (
      id boolean PRIMARY KEY DEFAULT true CHECK (id),
      revision bigint NOT NULL
    )`,
    `INSERT INTO store_revision (id, revision) VALUES (true, 0)`,
    `CREATE TABLE auth_failures (
      id bigserial PRIMARY KEY,
      key text NOT NULL,
      at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX auth_failures_key_at_idx ON auth_failures (key, at)`,
    `CREATE INDEX auth_failures_at_idx ON auth_failures (at)`,
  ],
};

/**
 * Bearer credentials of the HTTP API (DESIGN §8): login sessions and scripts' API tokens in one
 * table, told apart by `kind`. Only the SHA-256 of a token is kept (a 256-bit random token needs no
 * slow hash). Rows go with their user (ON DELETE CASCADE); a disabled user or a password change
 * ends them at the next request (checked against users.active and users.password_changed_at).
 */
const apiTokens: Migration = {
  name: '0002_api_tokens',
  statements: [
    `CREATE TABLE api_tokens (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('session', 'api')),
      name text NOT NULL DEFAULT '',
      scope text NOT NULL CHECK (scope IN ('read', 'readwrite')),
      token_hash text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz,
      last_used_at timestamptz
    )`,
    `CREATE UNIQUE INDEX api_tokens_token_hash_key ON api_tokens (token_hash)`,
    `CREATE INDEX api_tokens_user_id_idx ON api_tokens (user_id, kind)`,
    `CREATE INDEX api_tokens_expires_at_idx ON api_tokens (expires_at) WHERE expires_at IS NOT NULL`,
  ],
};

/**
 * One-time and time-limited credentials of the account lifecycle (DESIGN §7): invite and password
 * reset links, impersonation and owner-login passwords. Only the SHA-256 of the 256-bit secret is
 * kept; `used_at` makes single-use tokens single use.
 */
const userTokens: Migration = {
  name: '0003_user_tokens',
  statements: [
    `CREATE TABLE user_tokens (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('invite', 'reset', 'impersonation', 'owner_login')),
      token_hash text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      created_by text
    )`,
    `CREATE UNIQUE INDEX user_tokens_token_hash_key ON user_tokens (token_hash)`,
    `CREATE INDEX user_tokens_user_id_idx ON user_tokens (user_id, kind)`,
  ],
};

/** `GET /api/v1/audit` filters by actor, target and time, newest first (issue 5). */
const auditIndexes: Migration = {
  name: '0004_audit_indexes',
  statements: [
    `CREATE INDEX audit_log_actor_idx ON audit_log (actor, id)`,
    `CREATE INDEX audit_log_target_idx ON audit_log (target, id)`,
    `CREATE INDEX audit_log_at_idx ON audit_log (at)`,
  ],
};

/**
 * Teams and grants (issue 13). A grant's principal is a user, a group or everyone; its scope a
 * team or, with team_id NULL, the organisation. Principals are two nullable foreign keys rather
 * than one polymorphic id, so deleting a user, group or team takes its grants with it. One grant
 * per principal and scope: the unique index folds NULLs into a fixed uuid (NULLs never collide).
 */
const NIL = `'00000000-0000-0000-0000-000000000000'::uuid`;
const teams: Migration = {
  name: '0005_teams',
  statements: [
    `CREATE TABLE teams (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      description text NOT NULL DEFAULT '',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE UNIQUE INDEX teams_name_lower_key ON teams (lower(name))`,
    `CREATE TABLE grants (
      id uuid PRIMARY KEY,
      team_id uuid REFERENCES teams (id) ON DELETE CASCADE,
      principal_type text NOT NULL CHECK (principal_type IN ('user', 'group', 'everyone')),
      user_id uuid REFERENCES users (id) ON DELETE CASCADE,
      group_id uuid REFERENCES groups (id) ON DELETE CASCADE,
      level text NOT NULL CHECK (level IN ('viewer', 'user', 'editor', 'publisher', 'admin')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((principal_type = 'user') = (user_id IS NOT NULL)),
      CHECK ((principal_type = 'group') = (group_id IS NOT NULL))
    )`,
    `CREATE UNIQUE INDEX grants_principal_scope_key ON grants
      (coalesce(team_id, ${NIL}), principal_type, coalesce(user_id, group_id, ${NIL}))`,
    `CREATE INDEX grants_user_id_idx ON grants (user_id) WHERE user_id IS NOT NULL`,
    `CREATE INDEX grants_group_id_idx ON grants (group_id) WHERE group_id IS NOT NULL`,
  ],
};

/**
 * Applications (issue 16): their own bind identity and an access rule. `access` is jsonb
 * `{everyone, groups: [group ids], teams: [{team, level}]}`; deleting a group an access rule names
 * is refused (app-store.ts groupInUse), so the ids stay valid.
 */
const apps: Migration = {
  name: '0006_apps',
  statements: [
    `CREATE TABLE apps (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      description text NOT NULL DEFAULT '',
      secret_hash text NOT NULL,
      allowed_cidrs text[] NOT NULL DEFAULT '{}',
      access jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE UNIQUE INDEX apps_name_lower_key ON apps (lower(name))`,
  ],
};

/**
 * Single sign-on (issue 14): users created by their first SSO sign-in (`self-registered`), groups
 * of the identity provider (`saml`, `oidc`), and the one-time memory SAML needs, shared by every
 * replica: the AuthnRequest IDs pgdir issued (InResponseTo must name one, SAML Core §3.2.2) and
 * the assertion IDs already accepted (replay, SAML Profiles §4.1.4.5). Rows expire; the key is
 * (kind, id) so both memories share one small table.
 */
const sso: Migration = {
  name: '0007_sso',
  statements: [
    `ALTER TABLE users DROP CONSTRAINT users_source_check`,
    `ALTER TABLE users ADD CONSTRAINT users_source_check CHECK (source IN ('local', 'ldap', 'self-registered'))`,
    `ALTER TABLE groups DROP CONSTRAINT groups_source_check`,
    `ALTER TABLE groups ADD CONSTRAINT groups_source_check CHECK (source IN ('local', 'ldap', 'saml', 'oidc'))`,
    `CREATE TABLE sso_nonces (
      kind text NOT NULL CHECK (kind IN ('saml_request', 'saml_assertion')),
      id text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (kind, id)
    )`,
    `CREATE INDEX sso_nonces_expires_at_idx ON sso_nonces (expires_at)`,
  ],
};

/**
 * App passwords (issue 14): per-user secrets for LDAP simple binds, exempt from the second factor.
 * Only the SHA-256 of the generated secret is kept (about 113 bits of entropy: no slow hash needed,
 * so binds stay fast; docs/app-passwords.md). Rows go with their user; revoking deletes the row.
 */
const appPasswords: Migration = {
  name: '0008_app_passwords',
  statements: [
    `CREATE TABLE app_passwords (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      name text NOT NULL,
      secret_hash text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz
    )`,
    `CREATE UNIQUE INDEX app_passwords_secret_hash_key ON app_passwords (secret_hash)`,
    `CREATE INDEX app_passwords_user_id_idx ON app_passwords (user_id)`,
  ],
};

/**
 * Self-registration links (issue 14, `/register`): the link proves the address before any user
 * exists, so the token names an email, not a user. Only the SHA-256 of the 256-bit secret is kept;
 * `used_at` makes it single use; it expires after 24 h.
 */
const registration: Migration = {
  name: '0009_registration',
  statements: [
    `CREATE TABLE registration_tokens (
      id uuid PRIMARY KEY,
      email text NOT NULL,
      token_hash text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      used_at timestamptz
    )`,
    `CREATE UNIQUE INDEX registration_tokens_token_hash_key ON registration_tokens (token_hash)`,
    `CREATE INDEX registration_tokens_expires_at_idx ON registration_tokens (expires_at)`,
  ],
};

export const MIGRATIONS: readonly Migration[] = [initial, apiTokens, userTokens, auditIndexes, teams, apps, sso, appPasswords, registration];
