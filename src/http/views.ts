import { z } from 'zod';
import type { GroupWithMembers } from '../directory/groups/group-service.js';
import { ROLES, type Group, type ServiceAccount, type User } from '../domain/model.js';
import type { ApiToken } from '../store/api-token-store.js';
import type { AuditRecord } from '../store/store.js';

/**
 * What the API returns for each record (camelCase JSON). Never a password hash, token hash, secret
 * hash or TOTP secret (DESIGN §7). The zod schemas document the responses in the OpenAPI file.
 */

const timestamp = z.string().describe('ISO 8601 date-time');

export const userView = z.object({
  id: z.string(),
  username: z.string().nullable(),
  email: z.string(),
  fallbackEmail: z.string().nullable(),
  fullName: z.string(),
  role: z.enum(ROLES),
  active: z.boolean(),
  source: z.enum(['local', 'ldap', 'self-registered']),
  totpEnabled: z.boolean(),
  hasPassword: z.boolean(),
  createdAt: timestamp,
  updatedAt: timestamp,
  passwordChangedAt: timestamp.nullable(),
});
export type UserView = z.infer<typeof userView>;

export const toUserView = (user: User): UserView => ({
  id: user.id,
  username: user.username,
  email: user.email,
  fallbackEmail: user.fallbackEmail,
  fullName: user.displayName,
  role: user.role,
  active: user.active,
  source: user.source,
  totpEnabled: user.totpEnabled,
  hasPassword: user.passwordHash !== null,
  createdAt: user.createdAt.toISOString(),
  updatedAt: user.updatedAt.toISOString(),
  passwordChangedAt: user.passwordChangedAt?.toISOString() ?? null,
});

export const groupView = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  source: z.enum(['local', 'ldap', 'saml', 'oidc']).describe('saml, oidc: groups of the identity provider, whose memberships each sign-in replaces'),
  memberIds: z.array(z.string()),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const toGroupView = (group: GroupWithMembers): z.infer<typeof groupView> => ({
  id: group.id,
  name: group.name,
  description: group.description,
  source: group.source,
  memberIds: [...group.memberIds],
  createdAt: group.createdAt.toISOString(),
  updatedAt: group.updatedAt.toISOString(),
});

export const groupRefView = z.object({ id: z.string(), name: z.string() });
export const toGroupRef = (group: Group): z.infer<typeof groupRefView> => ({ id: group.id, name: group.name });

export const tokenView = z.object({
  id: z.string(),
  name: z.string(),
  scope: z.enum(['read', 'readwrite']),
  createdAt: timestamp,
  expiresAt: timestamp.nullable(),
  lastUsedAt: timestamp.nullable(),
});
export const toTokenView = (t: ApiToken): z.infer<typeof tokenView> => ({
  id: t.id,
  name: t.name,
  scope: t.scope,
  createdAt: t.createdAt.toISOString(),
  expiresAt: t.expiresAt?.toISOString() ?? null,
  lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
});

export const serviceAccountView = z.object({
  id: z.string(),
  name: z.string(),
  allowedCidrs: z.array(z.string()),
  privileged: z.boolean(),
  createdAt: timestamp,
});
export const toServiceAccountView = (a: ServiceAccount): z.infer<typeof serviceAccountView> => ({
  id: a.id,
  name: a.name,
  allowedCidrs: [...a.allowedCidrs],
  privileged: a.privileged,
  createdAt: a.createdAt.toISOString(),
});

export const auditView = z.object({
  id: z.int(),
  at: timestamp,
  actor: z.string().nullable(),
  action: z.string(),
  target: z.string().nullable(),
  result: z.enum(['ok', 'denied', 'failed']),
  ip: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export const toAuditView = (r: AuditRecord): z.infer<typeof auditView> => ({
  id: r.id,
  at: r.at.toISOString(),
  actor: r.actor,
  action: r.action,
  target: r.target,
  result: r.result,
  ip: r.ip,
  details: r.details,
});

/** A page of a list: `page` is 1-based. */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), total: z.int().optional(), page: z.int(), perPage: z.int() });
