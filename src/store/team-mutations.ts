import { sql, type Updateable } from 'kysely';
import type { Grant, Principal, Team } from '../domain/team.js';
import type { NewGrant, NewTeam, PutGrantResult, TeamMutations, TeamPatch } from './team-store-types.js';
import type { GrantsTable, TeamsTable } from './schema.js';
import { toGrant, toTeam } from './team-rows.js';
import { found, newId, requireId, type TxContext } from './tx-context.js';
import { createTeamReader } from './team-store.js';

export function createTeamMutations(ctx: TxContext): TeamMutations {
  return {
    insertTeam: (team) => insertTeam(ctx, team),
    updateTeam: (id, patch) => updateTeam(ctx, id, patch),
    deleteTeam: (id) => deleteTeam(ctx, id),
    putGrant: (grant) => putGrant(ctx, grant),
    deleteGrant: (id) => deleteGrant(ctx, id),
  };
}

function insertTeam(ctx: TxContext, team: NewTeam): Promise<Team> {
  return ctx.step({ ...team }, async () => {
    const id = newId(team.id);
    const row = await ctx.trx
      .insertInto('teams')
      .values({ id, name: team.name, description: team.description ?? '' })
      .returningAll()
      .executeTakeFirstOrThrow();
    await ctx.changed({ kind: 'team', key: id, op: 'upsert' });
    return toTeam(row);
  });
}

function updateTeam(ctx: TxContext, id: string, patch: TeamPatch): Promise<Team> {
  return ctx.step({ ...patch, id }, async () => {
    const key = requireId(id, 'team');
    const set: Updateable<TeamsTable> = {};
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.description !== undefined) set.description = patch.description;
    const row = await ctx.trx.updateTable('teams').set({ ...set, updated_at: sql<Date>`now()` }).where('id', '=', key).returningAll().executeTakeFirst();
    const team = toTeam(found(row, 'team', id));
    // One change row: the view moves the team entry and its derived groups' DNs in this revision.
    await ctx.changed({ kind: 'team', key, op: 'upsert' });
    return team;
  });
}

function deleteTeam(ctx: TxContext, id: string): Promise<Grant[]> {
  return ctx.step({ id }, async () => {
    const key = requireId(id, 'team');
    const grants = (await ctx.trx.deleteFrom('grants').where('team_id', '=', key).returningAll().execute()).map(toGrant);
    found(await ctx.trx.deleteFrom('teams').where('id', '=', key).returning('id').executeTakeFirst(), 'team', id);
    await ctx.changed(...grants.map((g) => ({ kind: 'grant' as const, key: g.id, op: 'delete' as const })), { kind: 'team', key, op: 'delete' });
    return grants;
  });
}

function putGrant(ctx: TxContext, grant: NewGrant): Promise<PutGrantResult> {
  return ctx.step({ level: grant.level }, async () => {
    const teamId = grant.teamId === null ? null : requireId(grant.teamId, 'team');
    const principal = normalizePrincipal(grant.principal);
    const before = await createTeamReader(ctx.trx).findGrant(teamId, principal);
    let row;
    if (before !== undefined) {
      row = await ctx.trx.updateTable('grants').set({ level: grant.level, updated_at: sql<Date>`now()` }).where('id', '=', before.id).returningAll().executeTakeFirstOrThrow();
    } else {
      const values: Updateable<GrantsTable> & { id: string; principal_type: string; level: string } = {
        id: newId(undefined),
        team_id: teamId,
        principal_type: principal.type,
        user_id: principal.type === 'user' ? principal.id : null,
        group_id: principal.type === 'group' ? principal.id : null,
        level: grant.level,
      };
      row = await ctx.trx.insertInto('grants').values(values).returningAll().executeTakeFirstOrThrow();
    }
    const stored = toGrant(row);
    if (before?.level !== stored.level) await ctx.changed({ kind: 'grant', key: stored.id, op: 'upsert' });
    return { grant: stored, before };
  });
}

function deleteGrant(ctx: TxContext, id: string): Promise<boolean> {
  return ctx.step({ id }, async () => {
    const key = requireId(id, 'grant');
    const row = await ctx.trx.deleteFrom('grants').where('id', '=', key).returning('id').executeTakeFirst();
    if (row !== undefined) await ctx.changed({ kind: 'grant', key, op: 'delete' });
    return row !== undefined;
  });
}

function normalizePrincipal(p: Principal): Principal {
  if (p.type === 'everyone') return p;
  return { type: p.type, id: requireId(p.id, p.type) };
}
