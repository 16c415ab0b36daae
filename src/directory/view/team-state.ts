import { LEVELS, levelsUpTo, type Level } from '../../domain/levels.js';
import type { Grant, Team } from '../../domain/team.js';
import { findByName } from './team-lookup.js';
import type { EntryStore } from './entry-store.js';
import type { Dit } from './dit.js';
import { memberValues, NO_MEMBERS, type MemberValues } from './group-entry.js';
import { buildDerivedGroup, buildTeamEntry, derivedGroupDn, derivedGroupId } from './team-entries.js';
import { TeamLevels, type LevelInputs } from './team-levels.js';
import { compareEntries, type ViewEntry } from './view-entry.js';
import { ORGANIZATION } from '../../domain/team.js';

/** A derived group's members: every listed user, or the listed users named. */
type Members = 'all' | readonly string[];

/**
 * The teams part of one DirectoryState (issue 13): team and grant records, the levels computed
 * from them (team-levels.ts), the DNs each user's memberOf gains, and the `ou=teams` entries.
 * Everything is computed when a batch is applied, never at search time.
 */
export class TeamState {
  readonly teams = new Map<string, Team>();
  readonly grants = new Map<string, Grant>();
  levels: TeamLevels;
  /**
   * Moves when a recompute changed derived DNs for every user (user-entry.ts's DerivedMemberOf):
   * their entries are not rebuilt; memberOf and cached encodings follow the generation instead.
   */
  generation = 0;
  /** Teams renamed, added or removed since the last recompute (their DNs moved). */
  private readonly renamed = new Set<string>();
  private dirty = true;
  private readonly dns = new Map<string, { name: string; dns: readonly string[] }>();
  private readonly orgDns: readonly string[];
  /** DNs everyone's memberOf gains (levels everyone has), shared by every user without special grants. */
  private baseDns: readonly string[] = Object.freeze([]);
  private readonly joined = new Map<readonly string[], readonly string[]>();
  /** derived group id → what its entry was built from, so unchanged groups keep their entry. */
  private readonly built = new Map<string, { dn: string; members: Members | MemberValues; at: number }>();
  /** derived group id → its scope and level (the planner asks by entry). */
  private readonly derived = new Map<string, { teamId: string | null; level: Level }>();
  /** team id → the record its entry was built from. */
  private readonly builtTeams = new Map<string, Team>();

  constructor(
    private readonly dit: Dit,
    private readonly inputs: LevelInputs,
    teams: readonly Team[] = [],
    grants: readonly Grant[] = [],
  ) {
    for (const t of teams) this.teams.set(t.id, t);
    for (const g of grants) this.grants.set(g.id, g);
    this.orgDns = Object.freeze(LEVELS.map((l) => derivedGroupDn(dit, ORGANIZATION, l)));
    this.levels = new TeamLevels(this.teams, this.grants, inputs);
  }

  applyTeam(id: string, team: Team | undefined): void {
    const old = this.teams.get(id);
    if (team === undefined) this.teams.delete(id);
    else this.teams.set(id, team);
    if (old?.name !== team?.name) this.renamed.add(id);
    this.dirty = true;
  }

  applyGrant(id: string, grant: Grant | undefined): void {
    if (grant === undefined) this.grants.delete(id);
    else this.grants.set(id, grant);
    this.dirty = true;
  }

  /** A deleted user or group takes its grants along (ON DELETE CASCADE logs no change rows). */
  dropPrincipal(id: string): void {
    for (const [key, g] of this.grants) {
      if (g.principal.type !== 'everyone' && g.principal.id === id) this.grants.delete(key), (this.dirty = true);
    }
  }

  /** Users or memberships changed: levels from group grants and listing may have moved. */
  touch(): void {
    this.dirty = true;
  }

  /** Recomputes the levels when anything changed; returns the users whose memberOf may differ. */
  recompute(): 'all' | Set<string> {
    if (!this.dirty) return new Set();
    const next = new TeamLevels(new Map(this.teams), new Map(this.grants), this.inputs);
    const affected = TeamLevels.affectedUsers(this.levels, next, this.renamed);
    this.levels = next;
    this.dirty = false;
    this.renamed.clear();
    for (const id of this.dns.keys()) if (!this.teams.has(id)) this.dns.delete(id);
    this.baseDns = Object.freeze(this.dnList(this.levels.orgBase, (t) => this.levels.base.get(t) ?? null));
    this.joined.clear();
    if (affected === 'all') this.generation++;
    return affected;
  }

  /** Derived-group DNs of one user, organisation first, then teams by name. */
  dnsOf(userId: string): readonly string[] {
    const l = this.levels;
    const special = l.orgSpecial.has(userId) || l.userTeams.has(userId);
    if (!special) return this.baseDns;
    const org = l.levelOf(userId, null);
    return Object.freeze(this.dnList(org, (t) => l.levelOf(userId, t)));
  }

  /** `prefix` (built-in and stored groups) plus the user's derived DNs; shared when nothing is special. */
  memberOf(prefix: readonly string[], userId: string, shareable: boolean): readonly string[] {
    const own = this.dnsOf(userId);
    if (own.length === 0) return prefix;
    if (!shareable || own !== this.baseDns) return Object.freeze([...prefix, ...own]);
    let held = this.joined.get(prefix);
    if (held === undefined) this.joined.set(prefix, (held = Object.freeze([...prefix, ...own])));
    return held;
  }

  private dnList(org: Level | null, levelOn: (teamId: string) => Level | null): string[] {
    const out: string[] = [];
    if (org !== null) for (const l of levelsUpTo(org)) out.push(this.orgDns[LEVELS.indexOf(l)] as string);
    for (const team of this.sortedTeams()) {
      const level = levelOn(team.id);
      if (level === null) continue;
      const dns = this.teamDns(team);
      for (const l of levelsUpTo(level)) out.push(dns[LEVELS.indexOf(l)] as string);
    }
    return out;
  }

  private sortedTeams(): Team[] {
    return [...this.teams.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private teamDns(team: Team): readonly string[] {
    const held = this.dns.get(team.id);
    if (held !== undefined && held.name === team.name) return held.dns;
    const dns = Object.freeze(LEVELS.map((l) => derivedGroupDn(this.dit, team.name, l)));
    this.dns.set(team.id, { name: team.name, dns });
    return dns;
  }

  /** The user's level on a team given by id or name (null: none, or no such team). */
  levelOnTeam(userId: string, team: string): Level | null {
    const found = this.teams.get(team.toLowerCase()) ?? findByName(this.teams, team);
    return found === undefined ? null : this.levels.levelOf(userId, found.id);
  }

  /** Who is in a derived group: 'all' (every listed user) or the listed users named. */
  members(teamId: string | null, level: Level): Members {
    const l = this.levels;
    const base = teamId === null ? l.orgBase : (l.base.get(teamId) ?? null);
    if (base !== null && LEVELS.indexOf(base) >= LEVELS.indexOf(level)) return 'all';
    const ids = new Set<string>();
    const reach = (map: ReadonlyMap<string, Level> | undefined): void => {
      for (const [id, held] of map ?? []) if (LEVELS.indexOf(held) >= LEVELS.indexOf(level)) ids.add(id);
    };
    reach(l.orgSpecial);
    if (teamId !== null) reach(l.special.get(teamId));
    return [...ids];
  }

  /**
   * Puts every team entry and derived group into `entries` (after the user entries of this batch
   * are in). `everyone`: the built-in users group's member values, shared by derived groups that
   * everyone is in. Unchanged derived groups keep their entry (and its cached encodings).
   */
  rebuildEntries(entries: EntryStore, everyone: MemberValues | undefined, changedUsers: ReadonlySet<string>): void {
    const seen = new Set<string>();
    // The organisation's derived groups appear once it has a grant: a fresh directory's tree
    // gains only the ou=teams container.
    const org = [...this.grants.values()].some((g) => g.teamId === null);
    for (const team of org ? [null, ...this.teams.values()] : [...this.teams.values()]) {
      if (team !== null) {
        seen.add(team.id);
        if (this.builtTeams.get(team.id) !== team || !entries.byId.team.has(team.id)) {
          entries.put('team', team.id, buildTeamEntry(this.dit, team));
          this.builtTeams.set(team.id, team);
        }
      }
      for (const level of LEVELS) seen.add(this.putDerived(entries, team, level, everyone, changedUsers));
    }
    for (const id of [...entries.byId.team.keys()]) {
      if (seen.has(id)) continue;
      entries.put('team', id, undefined);
      this.built.delete(id);
      this.derived.delete(id);
      this.builtTeams.delete(id);
    }
  }

  private putDerived(entries: EntryStore, team: Team | null, level: Level, everyone: MemberValues | undefined, changedUsers: ReadonlySet<string>): string {
    const id = derivedGroupId(team?.id ?? null, level);
    this.derived.set(id, { teamId: team?.id ?? null, level });
    const ids = this.members(team?.id ?? null, level);
    const members: Members | MemberValues = ids === 'all' ? (everyone ?? NO_MEMBERS) : ids;
    const dn = derivedGroupDn(this.dit, team?.name ?? ORGANIZATION, level);
    const at = this.modifiedAt(team);
    const old = this.built.get(id);
    const unchanged = old !== undefined && old.dn === dn && old.at === at && sameMembers(old.members, members);
    // A member's username or listing may have changed: their memberUid and DN are in the values.
    const stale = ids !== 'all' && ids.some((u) => changedUsers.has(u));
    if (unchanged && !stale && entries.byId.team.has(id)) return id;
    const values = ids === 'all' ? (everyone ?? NO_MEMBERS) : memberValues(this.entriesOf(entries, ids));
    const createdAt = team?.createdAt ?? this.firstGrant();
    entries.put('team', id, buildDerivedGroup(this.dit, { team, level, members: values, createdAt, updatedAt: at > 0 ? new Date(at) : undefined }));
    this.built.set(id, { dn, members, at });
    return id;
  }

  private entriesOf(entries: EntryStore, ids: readonly string[]): ViewEntry[] {
    const out: ViewEntry[] = [];
    for (const id of ids) {
      const e = entries.byId.user.get(id);
      if (e !== undefined) out.push(e);
    }
    return out.sort(compareEntries);
  }

  /** The member entries of a derived group (for the search planner); undefined for other entries. */
  memberEntries(entries: EntryStore, group: ViewEntry): readonly ViewEntry[] | undefined {
    const where = this.derived.get(group.id);
    if (where === undefined) return undefined;
    const ids = this.members(where.teamId, where.level);
    return ids === 'all' ? entries.lists.user : this.entriesOf(entries, ids);
  }

  /** The derived groups a user entry is in (for `(member=<user>)` plans). */
  groupsOf(entries: EntryStore, userId: string): ViewEntry[] {
    const out: ViewEntry[] = [];
    for (const [id, where] of this.derived) {
      const level = this.levels.levelOf(userId, where.teamId);
      if (level === null || LEVELS.indexOf(level) < LEVELS.indexOf(where.level)) continue;
      const entry = entries.byId.team.get(id);
      if (entry !== undefined) out.push(entry);
    }
    return out;
  }

  /**
   * A derived group's modifyTimestamp: the newest change to its team or to a grant in its scope
   * or the organisation's. Membership moving because a user joined a group or was disabled does
   * not move it (documented in docs/teams.md).
   */
  private modifiedAt(team: Team | null): number {
    let at = team?.updatedAt.getTime() ?? 0;
    for (const g of this.grants.values()) {
      if (g.teamId === null || g.teamId === team?.id) at = Math.max(at, g.updatedAt.getTime());
    }
    return at;
  }

  private firstGrant(): Date | undefined {
    let first: number | undefined;
    for (const g of this.grants.values()) if (g.teamId === null && (first === undefined || g.createdAt.getTime() < first)) first = g.createdAt.getTime();
    return first === undefined ? undefined : new Date(first);
  }
}

function sameMembers(a: Members | MemberValues, b: Members | MemberValues): boolean {
  if (a === b) return true;
  if (typeof a === 'object' && 'dns' in a && typeof b === 'object' && 'dns' in b) return a.dns === b.dns && a.uids === b.uids;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  const set = new Set<string>(a as readonly string[]);
  return (b as readonly string[]).every((id) => set.has(id));
}
