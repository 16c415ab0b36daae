import type { Actor } from '../../domain/actor.js';
import { assertMay, type Action, type Target } from '../../domain/permissions.js';
import type { StoreReader } from '../../store/store.js';
import { readUserLevels } from './level-table.js';

/**
 * The actor's own levels as may() wants them for rows a level (not a role) can satisfy (issue 13):
 * read from the store on every call, so a revoked grant refuses the very next request.
 */
export async function actorLevelTarget(reader: StoreReader, actor: Actor, teamId: string | null = null): Promise<Target> {
  if (actor.kind !== 'user') return {};
  const levels = await readUserLevels(reader, actor.id);
  return { orgLevel: levels.organization.level, teamLevel: teamId === null ? null : (levels.teams.get(teamId)?.level ?? null) };
}

/** assertMay with the actor's levels: the one check for actions with `level: 'org' | 'team'`. */
export async function assertMayByLevel(reader: StoreReader, actor: Actor, action: Action, teamId: string | null = null): Promise<void> {
  assertMay(actor, action, await actorLevelTarget(reader, actor, teamId));
}
