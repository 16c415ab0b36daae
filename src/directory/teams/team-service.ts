import { actorLabel, type Actor } from '../../domain/actor.js';
import { normalizeDescription } from '../../domain/description.js';
import { conflict, invalid, notFound } from '../../domain/errors.js';
import { parseLevel } from '../../domain/levels.js';
import { assertMay, may, type Action } from '../../domain/permissions.js';
import { normalizeTeamName } from '../../domain/team-name.js';
import { ORGANIZATION, type Team } from '../../domain/team.js';
import type { Store, StoreReader, StoreTx } from '../../store/store.js';
import { auditDiff } from '../audit-record.js';
import { resolveUser } from '../users/user-ref.js';
import { auditGrant, auditTeam, grantView, nameBook, type GrantView } from './grant-view.js';
import { assertMayByLevel } from './level-check.js';
import { readUserLevels } from './level-table.js';
import { permissionsReport, type PermissionsReport } from './permissions-report.js';
import { resolvePrincipal } from './principal-input.js';
import { resolveTeam } from './team-ref.js';

export interface TeamInput {
  readonly name?: unknown;
  readonly description?: unknown;
}
export interface GrantInput {
  readonly principal?: unknown;
  readonly level?: unknown;
}
/** The team a grant is on (id or name), or null for the organisation. */
export type GrantScope = string | null;

/** Team, grant and permission use cases (issue 13); every change is one audited transaction. */
export interface TeamService {
  listTeams(actor: Actor): Promise<Team[]>;
  /** The teams the actor may read with each one's number of grants (two queries, for listings). */
  listTeamSummaries(actor: Actor): Promise<(Team & { readonly grantCount: number })[]>;
  /** Whether may() lets the actor read some team (or the teams page): the console's nav asks this. */
  readsTeams(actor: Actor): Promise<boolean>;
  getTeam(ref: string, actor: Actor): Promise<Team>;
  addTeam(input: TeamInput, actor: Actor): Promise<Team>;
  updateTeam(ref: string, changes: TeamInput, actor: Actor): Promise<Team>;
  /** Removes the team with its grants (and so its derived groups); returns it as it was. */
  deleteTeam(ref: string, actor: Actor): Promise<Team & { grants: GrantView[] }>;
  listGrants(scope: GrantScope, actor: Actor): Promise<GrantView[]>;
  /** One grant per principal and scope: creates it or replaces its level. */
  putGrant(scope: GrantScope, input: GrantInput, actor: Actor): Promise<GrantView>;
  /** Removes the principal's grant in the scope; 404 when it has none. Returns it as it was. */
  deleteGrant(scope: GrantScope, principal: unknown, actor: Actor): Promise<GrantView>;
  /** `users permissions`: the user's organisation level and every team level, with the grants behind each. */
  permissions(userRef: string, actor: Actor): Promise<PermissionsReport>;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

async function check(reader: StoreReader, actor: Actor, action: Action, teamId: string | null): Promise<void> {
  await assertMayByLevel(reader, actor, action, teamId);
}

export function createTeamService({ store, builtinNames = [] }: { store: Store; builtinNames?: readonly string[] }): TeamService {
  const audit = (tx: StoreTx, actor: Actor, action: string, target: string, details: Record<string, unknown>) =>
    tx.appendAudit({ actor: actorLabel(actor), action, target, result: 'ok', details });
  const views = async (reader: StoreReader, scope: string | null) => {
    const names = nameBook(reader, await reader.listTeams());
    return Promise.all((await reader.listGrants({ teamId: scope })).map((g) => grantView(g, names)));
  };
  const scopeOf = async (reader: StoreReader, scope: GrantScope): Promise<Team | null> => (scope === null ? null : resolveTeam(reader, scope));

  const listTeams = async (actor: Actor): Promise<Team[]> => {
    const teams = await store.listTeams();
    if (actor.kind === 'system') return teams;
    const levels = await readUserLevels(store, actor.id, teams);
    const org = levels.organization.level;
    const readable = teams.filter((t) => may(actor, 'team.read', { orgLevel: org, teamLevel: levels.teams.get(t.id)?.level ?? null }).allowed);
    // Someone who may read no team at all is refused, as for any other list they may not read.
    if (readable.length === 0) assertMay(actor, 'team.read', { orgLevel: org });
    return readable;
  };

  return {
    listTeams,

    async listTeamSummaries(actor) {
      const [teams, grants] = await Promise.all([listTeams(actor), store.listGrants()]);
      const counts = new Map<string, number>();
      for (const g of grants) if (g.teamId !== null) counts.set(g.teamId, (counts.get(g.teamId) ?? 0) + 1);
      return teams.map((team) => ({ ...team, grantCount: counts.get(team.id) ?? 0 }));
    },

    async readsTeams(actor) {
      if (may(actor, 'team.read').allowed) return true;
      if (actor.kind !== 'user') return false;
      const levels = await readUserLevels(store, actor.id);
      if (may(actor, 'team.read', { orgLevel: levels.organization.level }).allowed) return true;
      return [...levels.teams.values()].some((answer) => may(actor, 'team.read', { orgLevel: levels.organization.level, teamLevel: answer.level }).allowed);
    },

    async getTeam(ref, actor) {
      const team = await resolveTeam(store, ref);
      await check(store, actor, 'team.read', team.id);
      return team;
    },

    async addTeam(input, actor) {
      if (!isRecord(input)) throw invalid('team details must be an object');
      const name = normalizeTeamName(input.name, 'name', builtinNames);
      const description = normalizeDescription(input.description);
      return store.write(async (tx) => {
        await check(tx, actor, 'team.create', null);
        if ((await tx.findTeamByName(name)) !== undefined) throw conflict(`team name "${name}" is already taken`, 'name');
        const team = await tx.insertTeam({ name, description });
        await audit(tx, actor, 'team.create', team.id, { after: auditTeam(team) });
        return team;
      });
    },

    async updateTeam(ref, changes, actor) {
      const patch = parseTeamChanges(changes, builtinNames);
      return store.write(async (tx) => {
        const team = await resolveTeam(tx, ref);
        await check(tx, actor, 'team.update', team.id);
        if (patch.name !== undefined && patch.name !== team.name) {
          const other = await tx.findTeamByName(patch.name);
          if (other !== undefined && other.id !== team.id) throw conflict(`team name "${patch.name}" is already taken`, 'name');
        }
        const updated = await tx.updateTeam(team.id, patch);
        const diff = auditDiff(auditTeam(team), auditTeam(updated));
        if (Object.keys(diff.after).length > 0) await audit(tx, actor, 'team.update', team.id, diff);
        return updated;
      });
    },

    deleteTeam: (ref, actor) =>
      store.write(async (tx) => {
        const team = await resolveTeam(tx, ref);
        await check(tx, actor, 'team.delete', team.id);
        const grants = await views(tx, team.id);
        await tx.deleteTeam(team.id);
        await audit(tx, actor, 'team.delete', team.id, { before: { ...auditTeam(team), grants: grants.map(auditGrant) } });
        return { ...team, grants };
      }),

    async listGrants(scope, actor) {
      const team = await scopeOf(store, scope);
      await check(store, actor, team === null ? 'org.read' : 'team.read', team?.id ?? null);
      return views(store, team?.id ?? null);
    },

    async putGrant(scope, input, actor) {
      if (!isRecord(input)) throw invalid('a grant must be an object {principal, level}');
      const level = parseLevel(input.level);
      return store.write(async (tx) => {
        const team = await scopeOf(tx, scope);
        const principal = await resolvePrincipal(tx, input.principal);
        const action: Action = team === null ? 'org.grant' : principal.type === 'everyone' ? 'team.grantEveryone' : 'team.grant';
        await check(tx, actor, action, team?.id ?? null);
        const { grant, before } = await tx.putGrant({ teamId: team?.id ?? null, principal, level });
        const view = await grantView(grant, nameBook(tx, team === null ? [] : [team]));
        if (before?.level !== grant.level) {
          await audit(tx, actor, 'grant.put', team?.id ?? ORGANIZATION, { before: before === undefined ? null : { level: before.level }, after: auditGrant(view) });
        }
        return view;
      });
    },

    deleteGrant: (scope, principalInput, actor) =>
      store.write(async (tx) => {
        const team = await scopeOf(tx, scope);
        const principal = await resolvePrincipal(tx, principalInput);
        const action: Action = team === null ? 'org.grant' : principal.type === 'everyone' ? 'team.grantEveryone' : 'team.grant';
        await check(tx, actor, action, team?.id ?? null);
        const grant = await tx.findGrant(team?.id ?? null, principal);
        if (grant === undefined) throw notFound(`no such grant on ${team === null ? 'the organization' : `team "${team.name}"`}`);
        const view = await grantView(grant, nameBook(tx, team === null ? [] : [team]));
        await tx.deleteGrant(grant.id);
        await audit(tx, actor, 'grant.delete', team?.id ?? ORGANIZATION, { before: auditGrant(view) });
        return view;
      }),

    async permissions(userRef, actor) {
      const user = await resolveUser(store, userRef);
      if (actor.kind === 'user' && user.id !== actor.id) {
        const mine = await readUserLevels(store, actor.id);
        try {
          assertMay(actor, 'permissions.read', { id: user.id, orgLevel: mine.organization.level });
        } catch (error) {
          // Someone else's permissions: a user who may not read them cannot tell them from absent.
          if (actor.role === 'user') throw notFound(`no user "${userRef.trim()}"`);
          throw error;
        }
      }
      return permissionsReport(store, user);
    },
  };
}

function parseTeamChanges(input: unknown, builtinNames: readonly string[]): { name?: string; description?: string } {
  if (!isRecord(input)) throw invalid('team changes must be an object');
  const unknown = Object.keys(input).find((k) => k !== 'name' && k !== 'description');
  if (unknown !== undefined) throw invalid(`cannot change "${unknown}"; changeable fields are name, description`, unknown);
  const patch: { name?: string; description?: string } = {};
  if (input.name !== undefined) patch.name = normalizeTeamName(input.name, 'name', builtinNames);
  if (input.description !== undefined) patch.description = normalizeDescription(input.description);
  if (Object.keys(patch).length === 0) throw invalid('nothing to change; give name or description');
  return patch;
}
