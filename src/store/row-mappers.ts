import type { Selectable } from 'kysely';
import type { Group, GroupSource, Role, ServiceAccount, User, UserSource } from '../domain/model.js';
import type { AuditRecord, Change, EntityKind } from './store.js';
import type {
  AuditLogTable,
  ChangeLogTable,
  GroupsTable,
  ServiceAccountsTable,
  UsersTable,
} from './schema.js';

/** The one place where rows become domain records (CHECK constraints guarantee the enums). */

export type UserRow = Selectable<UsersTable>;
export type GroupRow = Selectable<GroupsTable>;
export type ServiceAccountRow = Selectable<ServiceAccountsTable>;

/** pg returns bigint columns as strings, PGlite as numbers; revisions and ids stay < 2^53. */
export const toNumber = (value: number | string | bigint): number => Number(value);

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    fallbackEmail: row.fallback_email,
    displayName: row.display_name,
    role: row.role as Role,
    active: row.active,
    source: row.source as UserSource,
    sourceId: row.source_id,
    sourceDn: row.source_dn,
    passwordHash: row.password_hash,
    uidNumber: row.uid_number,
    totpEnabled: row.totp_enabled,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    passwordChangedAt: row.password_changed_at,
  };
}

export function toGroup(row: GroupRow): Group {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    gidNumber: row.gid_number,
    source: row.source as GroupSource,
    sourceId: row.source_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toServiceAccount(row: ServiceAccountRow): ServiceAccount {
  return {
    id: row.id,
    name: row.name,
    secretHash: row.secret_hash,
    allowedCidrs: row.allowed_cidrs,
    privileged: row.privileged,
    createdAt: row.created_at,
  };
}

export function toAuditRecord(row: Selectable<AuditLogTable>): AuditRecord {
  return {
    id: toNumber(row.id),
    at: row.at,
    actor: row.actor,
    action: row.action,
    target: row.target,
    result: row.result as AuditRecord['result'],
    ip: row.ip,
    details: row.details,
  };
}

export function toChange(row: Selectable<ChangeLogTable>): Change {
  return {
    revision: toNumber(row.revision),
    kind: row.kind as EntityKind,
    key: row.key,
    op: row.op as Change['op'],
    at: row.at,
  };
}
