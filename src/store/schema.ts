import type { ColumnType, Generated } from 'kysely';

/**
 * The tables as kysely sees them (one interface per table, snake_case as in SQL). Rows are turned
 * into domain records only in row-mappers.ts. Integer columns that are `bigint` in SQL come back
 * as strings from pg and as numbers from PGlite, hence `number | string` on the select side.
 */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type BigIntColumn = ColumnType<number | string, number | bigint | string, number | bigint | string>;
/** jsonb: written as JSON text (see json-param.ts), read back parsed by both drivers. */
type Json<T = unknown> = ColumnType<T, string, string>;

export interface UsersTable {
  id: string;
  username: string | null;
  email: string;
  fallback_email: string | null;
  display_name: Generated<string>;
  role: Generated<string>;
  active: Generated<boolean>;
  source: Generated<string>;
  source_id: string | null;
  source_dn: string | null;
  password_hash: string | null;
  uid_number: Generated<number>;
  /** TOTP secret, encrypted by the application (never stored in clear). */
  totp_secret_encrypted: string | null;
  totp_enabled: Generated<boolean>;
  /** Last accepted 30 s time step, so that a code is never accepted twice (RFC 6238 §5.2). */
  totp_last_step: BigIntColumn | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
  password_changed_at: Date | null;
}

export interface GroupsTable {
  id: string;
  name: string;
  description: Generated<string>;
  gid_number: Generated<number>;
  source: Generated<string>;
  source_id: string | null;
  /** 'group' today; 'team' later (DESIGN §11), when memberships carry levels. */
  kind: Generated<string>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface MembershipsTable {
  group_id: string;
  user_id: string;
  /** Team level (viewer, user, editor, publisher, admin); plain groups use 'member'. */
  level: Generated<string>;
  created_at: CreatedAt;
}

export interface SettingsTable {
  key: string;
  value: Json;
  updated_at: Timestamp;
}

export interface ServiceAccountsTable {
  id: string;
  name: string;
  secret_hash: string;
  allowed_cidrs: ColumnType<string[], string[], string[]>;
  privileged: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface AuditLogTable {
  id: Generated<number | string>;
  at: CreatedAt;
  actor: string | null;
  action: string;
  target: string | null;
  result: string;
  ip: string | null;
  details: Json<Record<string, unknown>>;
}

export interface ChangeLogTable {
  revision: BigIntColumn;
  kind: string;
  key: string;
  op: string;
  at: CreatedAt;
}

/** A single row (id = true) holding the last committed revision; see change-log.ts. */
export interface StoreRevisionTable {
  id: Generated<boolean>;
  revision: BigIntColumn;
}

export interface AuthFailuresTable {
  id: Generated<number | string>;
  key: string;
  at: CreatedAt;
}

export interface SchemaMigrationsTable {
  name: string;
  applied_at: CreatedAt;
}

/** Teams and grants (issue 13, migration 0005_teams). */
export interface TeamsTable {
  id: string;
  name: string;
  description: Generated<string>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface GrantsTable {
  id: string;
  /** null: an organisation grant. */
  team_id: string | null;
  principal_type: string;
  user_id: string | null;
  group_id: string | null;
  level: string;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface Database {
  users: UsersTable;
  groups: GroupsTable;
  memberships: MembershipsTable;
  settings: SettingsTable;
  service_accounts: ServiceAccountsTable;
  audit_log: AuditLogTable;
  change_log: ChangeLogTable;
  store_revision: StoreRevisionTable;
  auth_failures: AuthFailuresTable;
  schema_migrations: SchemaMigrationsTable;
  teams: TeamsTable;
  grants: GrantsTable;
}
