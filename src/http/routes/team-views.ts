import { z } from 'zod';
import type { GrantView } from '../../directory/teams/grant-view.js';
import type { PermissionsReport } from '../../directory/teams/permissions-report.js';
import { LEVELS } from '../../domain/levels.js';
import type { Team } from '../../domain/team.js';

/** What the API returns for teams, grants and permissions (issue 13). */
const timestamp = z.string().describe('ISO 8601 date-time');
const level = z.enum(LEVELS);

export const teamView = z.object({ id: z.string(), name: z.string(), description: z.string(), createdAt: timestamp, updatedAt: timestamp });
export const toTeamView = (t: Team): z.infer<typeof teamView> => ({
  id: t.id,
  name: t.name,
  description: t.description,
  createdAt: t.createdAt.toISOString(),
  updatedAt: t.updatedAt.toISOString(),
});

export const grantView = z.object({
  id: z.string(),
  scope: z.union([z.object({ type: z.literal('team'), id: z.string(), name: z.string() }), z.object({ type: z.literal('organization') })]),
  principal: z.object({ type: z.enum(['user', 'group', 'everyone']), id: z.string().optional(), name: z.string().optional() }),
  level,
  createdAt: timestamp,
  updatedAt: timestamp,
});
export const toGrantView = (g: GrantView): z.infer<typeof grantView> => ({
  id: g.id,
  scope: g.scope.type === 'team' ? { type: 'team', id: g.scope.id, name: g.scope.name } : { type: 'organization' },
  principal: { ...g.principal },
  level: g.level,
  createdAt: g.createdAt.toISOString(),
  updatedAt: g.updatedAt.toISOString(),
});

export const permissionsView = z.object({
  user: z.object({ id: z.string(), username: z.string().nullable() }),
  organization: level.nullable().describe('the organisation level (that level on every team), or null'),
  organizationBecause: z.array(grantView).describe('the grants producing the organisation level'),
  teams: z.array(z.object({ team: z.object({ id: z.string(), name: z.string() }), level, because: z.array(grantView).describe('the grants producing this level') })),
});
export const toPermissionsView = (r: PermissionsReport): z.infer<typeof permissionsView> => ({
  user: { ...r.user },
  organization: r.organization,
  organizationBecause: r.organizationBecause.map(toGrantView),
  teams: r.teams.map((t) => ({ team: { ...t.team }, level: t.level, because: t.because.map(toGrantView) })),
});
