import type { Level } from '../../domain/levels.js';
import { ORGANIZATION, type Grant, type Team } from '../../domain/team.js';
import type { StoreReader } from '../../store/store.js';

/** A grant as the API, the CLI and the audit log show it: ids plus readable names. */
export interface GrantView {
  readonly id: string;
  readonly scope: { readonly type: 'team'; readonly id: string; readonly name: string } | { readonly type: 'organization' };
  readonly principal: { readonly type: 'user' | 'group' | 'everyone'; readonly id?: string; readonly name?: string };
  readonly level: Level;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** Names of teams, users and groups, read once per answer. */
export interface NameBook {
  team(id: string): string;
  user(id: string): Promise<string>;
  group(id: string): Promise<string>;
}

export function nameBook(reader: StoreReader, teams: readonly Team[]): NameBook {
  const teamNames = new Map(teams.map((t) => [t.id, t.name]));
  const users = new Map<string, Promise<string>>();
  const groups = new Map<string, Promise<string>>();
  const cached = (map: Map<string, Promise<string>>, id: string, read: () => Promise<string>): Promise<string> => {
    let name = map.get(id);
    if (name === undefined) map.set(id, (name = read()));
    return name;
  };
  return {
    team: (id) => teamNames.get(id) ?? id,
    user: (id) => cached(users, id, async () => {
      const user = await reader.getUser(id);
      return user?.username ?? user?.email ?? id;
    }),
    group: (id) => cached(groups, id, async () => (await reader.getGroup(id))?.name ?? id),
  };
}

export async function grantView(grant: Grant, names: NameBook): Promise<GrantView> {
  const p = grant.principal;
  const principal =
    p.type === 'everyone'
      ? { type: p.type }
      : { type: p.type, id: p.id, name: p.type === 'user' ? await names.user(p.id) : await names.group(p.id) };
  const scope = grant.teamId === null ? { type: ORGANIZATION } as const : { type: 'team' as const, id: grant.teamId, name: names.team(grant.teamId) };
  return { id: grant.id, scope, principal, level: grant.level, createdAt: grant.createdAt, updatedAt: grant.updatedAt };
}

/** What the audit log keeps of a grant (no timestamps: the audit row has its own). */
export function auditGrant(view: GrantView): Record<string, unknown> {
  return { id: view.id, scope: view.scope, principal: view.principal, level: view.level };
}

export const auditTeam = (team: Team): Record<string, unknown> => ({ id: team.id, name: team.name, description: team.description });
