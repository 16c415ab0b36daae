import { TEAM_LEVELS, type AppAccess, type TeamLevel, type TeamRule } from '../../domain/application.js';
import { DirectoryError, invalid } from '../../domain/errors.js';
import { parseAllowlist } from '../../domain/ip-allowlist.js';
import { normalizeName } from '../../domain/name-syntax.js';
import type { StoreReader } from '../../store/store.js';
import { resolveGroup } from '../groups/group-ref.js';
import { resolveTeam } from '../teams/team-ref.js';

/** The access rule as callers give it (POST/PATCH /api/v1/apps, `pgdir apps`). */
export interface AccessInput {
  readonly everyone?: boolean | undefined;
  /** Group names or ids. */
  readonly groups?: readonly string[] | undefined;
  readonly teams?: readonly { readonly team: string; readonly level: string }[] | undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const MAX_RULES = 1000;

/**
 * Checks an access rule's shape (issue 16). It must say something: `everyone: true`, or lists of
 * groups and/or teams — empty lists meaning nobody but admins, on purpose. `{}` or `everyone:
 * false` alone is refused, so no app ends up open or closed by omission; `everyone` with lists
 * is contradictory and refused too.
 */
export function checkAccessShape(input: unknown): AccessInput {
  if (!isRecord(input)) throw invalid('access must be an object: {everyone: true} or {groups: [...], teams: [...]}', 'access');
  const { everyone, groups, teams } = input;
  if (everyone !== undefined && typeof everyone !== 'boolean') throw invalid('access.everyone must be true or false', 'access.everyone');
  if (groups !== undefined && (!Array.isArray(groups) || groups.length > MAX_RULES || groups.some((g) => typeof g !== 'string'))) {
    throw invalid(`access.groups must be a list of at most ${MAX_RULES} group names or ids`, 'access.groups');
  }
  if (teams !== undefined && (!Array.isArray(teams) || teams.length > MAX_RULES)) throw invalid(`access.teams must be a list of at most ${MAX_RULES} {team, level}`, 'access.teams');
  const lists = groups !== undefined || teams !== undefined;
  if (everyone === true && ((groups?.length ?? 0) > 0 || (teams?.length ?? 0) > 0)) {
    throw invalid('access.everyone cannot be combined with groups or teams: everyone already includes them', 'access');
  }
  if (everyone !== true && !lists) {
    throw invalid('access must say who: {everyone: true}, or groups and/or teams (an empty list means nobody but admins)', 'access');
  }
  return { everyone: everyone === true, groups: groups as string[] | undefined, teams: teams as AccessInput['teams'] };
}

function teamRule(input: unknown, i: number): TeamRule {
  const field = `access.teams[${i}]`;
  if (!isRecord(input)) throw invalid(`${field} must be {team, level}`, field);
  const team = typeof input['team'] === 'string' ? input['team'].trim() : normalizeName(input['team'], 'team name', `${field}.team`);
  const level = input['level'];
  if (typeof level !== 'string' || !(TEAM_LEVELS as readonly string[]).includes(level.trim().toLowerCase())) {
    throw invalid(`${field}.level must be one of ${TEAM_LEVELS.join(', ')}`, `${field}.level`);
  }
  return { team, level: level.trim().toLowerCase() as TeamLevel };
}

/** A group or team that does not exist is bad input in a rule (400), not a missing resource. */
async function asInput<T>(find: () => Promise<T>, field: string): Promise<T> {
  try {
    return await find();
  } catch (err) {
    if (err instanceof DirectoryError && err.kind === 'not_found') throw invalid(err.message, field);
    throw err;
  }
}

/** Resolves group and team names to ids (in the caller's transaction) and checks team rules. */
export async function resolveAccess(reader: StoreReader, input: AccessInput): Promise<AppAccess> {
  if (input.everyone === true) return { everyone: true, groups: [], teams: [] };
  const ids: string[] = [];
  for (const [i, ref] of (input.groups ?? []).entries()) {
    const group = await asInput(() => resolveGroup(reader, ref, 'read', `access.groups[${i}]`), `access.groups[${i}]`);
    if (!ids.includes(group.id)) ids.push(group.id);
  }
  const teams: TeamRule[] = [];
  for (const [i, t] of (input.teams ?? []).entries()) {
    const named = teamRule(t, i);
    const rule = { team: (await asInput(() => resolveTeam(reader, named.team, `access.teams[${i}].team`), `access.teams[${i}].team`)).id, level: named.level };
    if (!teams.some((r) => r.team === rule.team && r.level === rule.level)) teams.push(rule);
  }
  return { everyone: false, groups: ids, teams };
}

/** Allowed source CIDRs, as service accounts (DESIGN §3): validated, stored canonical. */
export function checkCidrs(cidrs: unknown): string[] | undefined {
  if (cidrs === undefined) return undefined;
  if (!Array.isArray(cidrs) || cidrs.some((c) => typeof c !== 'string')) throw invalid('allowedCidrs must be a list of addresses or CIDR ranges', 'allowedCidrs');
  const list = parseAllowlist((cidrs as string[]).map((c, i) => c.trim() || `(empty entry ${i + 1})`));
  return [...list.entries];
}
