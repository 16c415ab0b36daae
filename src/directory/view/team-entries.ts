import { escapeDnValue, normalizeDn } from '../../domain/dn.js';
import { formatGeneralizedTime as generalizedTime } from '../../domain/generalized-time.js';
import { levelRank, type Level } from '../../domain/levels.js';
import { ORGANIZATION, type Team } from '../../domain/team.js';
import type { Dit } from './dit.js';
import type { MemberValues } from './group-entry.js';
import { nameUuid } from './name-uuid.js';
import { Rank, sortKey, ViewEntry } from './view-entry.js';

/**
 * The read-only subtree `ou=teams,<suffix>` (issue 13): one organizationalUnit-like entry per team
 * (`cn=<team>`) and the derived groups `cn=<team>.<level>` / `cn=organization.<level>`, whose
 * members are everyone with at least that level. Derived groups are plain groupOfNames +
 * groupOfUniqueNames (no gidNumber: they are not POSIX groups), so Grafana, Gitea and Nextcloud
 * filter on `(memberOf=cn=web.editor,ou=teams,<suffix>)` unchanged.
 */
export const TEAM_OBJECT_CLASSES = Object.freeze(['top', 'organizationalUnit', 'pgdirTeam']);
export const DERIVED_GROUP_OBJECT_CLASSES = Object.freeze(['top', 'groupOfNames', 'groupOfUniqueNames', 'pgdirTeamGroup']);
const FALSE = Object.freeze(['FALSE']);
const TRUE = Object.freeze(['TRUE']);
const SUBSCHEMA = Object.freeze(['cn=Subschema']);
const one = (value: string): readonly string[] => Object.freeze([value]);

export const teamsDn = (dit: Dit): string => `ou=teams,${dit.suffixDn}`;
export const teamsNorm = (dit: Dit): string => `ou=teams,${dit.suffixNorm}`;
const childDn = (dit: Dit, cn: string): string => `cn=${escapeDnValue(cn)},${teamsDn(dit)}`;

/** `<team>.<level>` or `organization.<level>`: the derived group's cn. */
export const derivedName = (scope: string, level: Level): string => `${scope}.${level}`;
export const derivedGroupDn = (dit: Dit, scope: string, level: Level): string => childDn(dit, derivedName(scope, level));
/** entryUUID of a derived group: tied to the team's id and the level, so a rename keeps it. */
export const derivedGroupId = (teamId: string | null, level: Level): string => nameUuid(`team-group:${teamId ?? ORGANIZATION}:${level}`);

/** Entries of one team sort together, in creation order, after the organisation's groups. */
const order = (team: Team | null, slot: number): number => sortKey(Rank.team, team === null ? slot : (team.createdAt.getTime() + 1) * 8 + slot);

export function buildTeamsContainer(dit: Dit): ViewEntry {
  const dn = teamsDn(dit);
  const norm = teamsNorm(dit);
  const attrs = new Map<string, readonly string[]>([
    ['objectclass', Object.freeze(['top', 'organizationalUnit'])],
    ['ou', one('teams')],
    ['entryuuid', one(nameUuid(`container:${norm}`))],
    ['entrydn', one(dn)],
    ['hassubordinates', TRUE],
    ['subschemasubentry', SUBSCHEMA],
    ['structuralobjectclass', one('organizationalUnit')],
  ]);
  return new ViewEntry(dn, norm, attrs, 'container', 'teams', dit.suffixNorm, sortKey(Rank.teamsContainer, 0));
}

export function buildTeamEntry(dit: Dit, team: Team): ViewEntry {
  const dn = childDn(dit, team.name);
  const attrs = new Map<string, readonly string[]>();
  attrs.set('objectclass', TEAM_OBJECT_CLASSES);
  attrs.set('cn', one(team.name));
  attrs.set('ou', one(team.name));
  if (team.description.trim() !== '') attrs.set('description', one(team.description));
  attrs.set('entryuuid', one(team.id));
  attrs.set('entrydn', one(dn));
  attrs.set('createtimestamp', one(generalizedTime(team.createdAt)));
  attrs.set('modifytimestamp', one(generalizedTime(team.updatedAt)));
  attrs.set('structuralobjectclass', one('organizationalUnit'));
  attrs.set('hassubordinates', FALSE);
  attrs.set('subschemasubentry', SUBSCHEMA);
  return new ViewEntry(dn, normalizeDn(dn), attrs, 'container', team.id, teamsNorm(dit), order(team, 0));
}

export interface DerivedShape {
  readonly team: Team | null; // null: the organisation
  readonly level: Level;
  readonly members: MemberValues;
  readonly createdAt: Date | undefined;
  readonly updatedAt: Date | undefined;
}

/** A derived group: members are everyone whose effective level is at least `level` (cumulative). */
export function buildDerivedGroup(dit: Dit, shape: DerivedShape): ViewEntry {
  const scope = shape.team?.name ?? ORGANIZATION;
  const dn = derivedGroupDn(dit, scope, shape.level);
  const attrs = new Map<string, readonly string[]>();
  attrs.set('objectclass', DERIVED_GROUP_OBJECT_CLASSES);
  attrs.set('cn', one(derivedName(scope, shape.level)));
  const where = shape.team === null ? 'the organization' : `team ${scope}`;
  attrs.set('description', one(`Everyone with at least ${shape.level} on ${where} (derived, read-only)`));
  if (shape.members.dns.length > 0) {
    attrs.set('member', shape.members.dns);
    attrs.set('uniquemember', shape.members.dns);
    attrs.set('memberuid', shape.members.uids);
  }
  const id = derivedGroupId(shape.team?.id ?? null, shape.level);
  attrs.set('entryuuid', one(id));
  attrs.set('entrydn', one(dn));
  if (shape.createdAt) attrs.set('createtimestamp', one(generalizedTime(shape.createdAt)));
  if (shape.updatedAt) attrs.set('modifytimestamp', one(generalizedTime(shape.updatedAt)));
  attrs.set('structuralobjectclass', one('groupOfNames'));
  attrs.set('hassubordinates', FALSE);
  attrs.set('subschemasubentry', SUBSCHEMA);
  return new ViewEntry(dn, normalizeDn(dn), attrs, 'group', id, teamsNorm(dit), order(shape.team, 1 + levelRank(shape.level)));
}
