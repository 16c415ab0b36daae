import { effectiveLevel, type GrantReach, type LevelAnswer } from '../../domain/effective-level.js';
import { levelRank, maxLevel, type Level } from '../../domain/levels.js';
import type { Grant, Team } from '../../domain/team.js';
import { isListed } from '../../domain/user-listing.js';
import type { User } from '../../domain/model.js';

/** id → linked ids (state-records.ts IdLinks). */
interface IdSets {
  get(id: string): ReadonlySet<string> | undefined;
}

/** What the computation reads of the view's records (state-records.ts). */
export interface LevelInputs {
  readonly users: ReadonlyMap<string, User>;
  readonly userGroups: IdSets;
  readonly groupUsers: IdSets;
}

/**
 * Every user's effective level on every team (issue 13), held compactly so that a grant to
 * everyone costs nothing per user: `base` is what everyone gets (the team's and the
 * organisation's grants to everyone), `special` what user and group grants give particular users
 * on top. A user's level on team t is max(base(t), orgSpecial(u), special(t)(u)) when listed,
 * none otherwise: exactly domain/effective-level.ts over the same grants (the property test
 * checks it), computed once per change instead of once per search.
 */
export class TeamLevels {
  /** The organisation level everyone has (grant to everyone on the organisation). */
  readonly orgBase: Level | null;
  /** Users' organisation levels from user and group grants (listed users only). */
  readonly orgSpecial: ReadonlyMap<string, Level>;
  /** team id → level everyone has on it (team grant to everyone, or the organisation's). */
  readonly base: ReadonlyMap<string, Level | null>;
  /** team id → user id → level from the team's user and group grants (listed users only). */
  readonly special: ReadonlyMap<string, ReadonlyMap<string, Level>>;
  /** user id → the teams in `special` naming the user. */
  readonly userTeams: ReadonlyMap<string, ReadonlySet<string>>;

  constructor(
    readonly teams: ReadonlyMap<string, Team>,
    readonly grants: ReadonlyMap<string, Grant>,
    private readonly inputs: LevelInputs,
  ) {
    const everyone = new Map<string | null, Level>();
    const specials = new Map<string | null, Map<string, Level>>();
    for (const grant of grants.values()) {
      if (grant.teamId !== null && !teams.has(grant.teamId)) continue;
      if (grant.principal.type === 'everyone') everyone.set(grant.teamId, grant.level);
      else this.addSpecial(specials, grant);
    }
    this.orgBase = everyone.get(null) ?? null;
    this.orgSpecial = specials.get(null) ?? new Map();
    const base = new Map<string, Level | null>();
    const special = new Map<string, ReadonlyMap<string, Level>>();
    const userTeams = new Map<string, Set<string>>();
    for (const id of teams.keys()) {
      base.set(id, maxLevel(everyone.get(id) ?? null, this.orgBase));
      const map = specials.get(id);
      if (map === undefined) continue;
      special.set(id, map);
      for (const u of map.keys()) (userTeams.get(u) ?? userTeams.set(u, new Set()).get(u))?.add(id);
    }
    this.base = base;
    this.special = special;
    this.userTeams = userTeams;
  }

  private addSpecial(specials: Map<string | null, Map<string, Level>>, grant: Grant): void {
    const p = grant.principal;
    const ids = p.type === 'user' ? [p.id] : p.type === 'group' ? (this.inputs.groupUsers.get(p.id) ?? []) : [];
    let map = specials.get(grant.teamId);
    for (const id of ids) {
      const user = this.inputs.users.get(id);
      if (user === undefined || !isListed(user)) continue;
      if (map === undefined) specials.set(grant.teamId, (map = new Map()));
      const held = map.get(id);
      if (held === undefined || levelRank(grant.level) > levelRank(held)) map.set(id, grant.level);
    }
  }

  /** The user's level on the team (null: the organisation level). Unknown team or unlisted user: null. */
  levelOf(userId: string, teamId: string | null): Level | null {
    const user = this.inputs.users.get(userId);
    if (user === undefined || !isListed(user)) return null;
    const org = maxLevel(this.orgBase, this.orgSpecial.get(userId) ?? null);
    if (teamId === null) return org;
    if (!this.teams.has(teamId)) return null;
    return maxLevel(maxLevel(this.base.get(teamId) ?? null, org), this.special.get(teamId)?.get(userId) ?? null);
  }

  /** The same level with the grants producing it, through the pure function (for "why" answers). */
  answer(userId: string, teamId: string | null): LevelAnswer {
    const user = this.inputs.users.get(userId);
    const who: GrantReach = {
      userId,
      listed: user !== undefined && isListed(user),
      groupIds: this.inputs.userGroups.get(userId) ?? new Set(),
    };
    const relevant = [...this.grants.values()].filter((g) => g.teamId === null || g.teamId === teamId);
    return effectiveLevel(relevant, teamId, who);
  }

  /**
   * Users whose derived memberships (memberOf) may differ between two states: 'all' when a level
   * everyone has changed, or a team that everyone is on changed name or existence.
   */
  static affectedUsers(old: TeamLevels | undefined, next: TeamLevels, renamed: ReadonlySet<string>): 'all' | Set<string> {
    if (old === undefined || old.orgBase !== next.orgBase) return 'all';
    const out = new Set<string>();
    for (const id of new Set([...old.teams.keys(), ...next.teams.keys()])) {
      const [a, b] = [old.base.get(id) ?? null, next.base.get(id) ?? null];
      if (a !== b || (renamed.has(id) && (a !== null || b !== null))) return 'all';
      diffInto(out, old.special.get(id), next.special.get(id), renamed.has(id));
    }
    diffInto(out, old.orgSpecial, next.orgSpecial, renamed.size > 0);
    return out;
  }
}

function diffInto(out: Set<string>, a: ReadonlyMap<string, Level> | undefined, b: ReadonlyMap<string, Level> | undefined, all: boolean): void {
  for (const [id, level] of a ?? []) if (all || b?.get(id) !== level) out.add(id);
  for (const [id, level] of b ?? []) if (all || a?.get(id) !== level) out.add(id);
}
