import type { Level } from './levels.js';

/** A team (issue 13): people get permission levels on it through grants. */
export interface Team {
  readonly id: string; // uuid, lower case; kept across renames
  readonly name: string; // group-name syntax, lower case, unique case-insensitively
  readonly description: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export const PRINCIPAL_TYPES = ['user', 'group', 'everyone'] as const;
export type PrincipalType = (typeof PRINCIPAL_TYPES)[number];

/** Who a grant reaches: one user, every member of a pgdir group, or every active user. */
export type Principal =
  | { readonly type: 'user'; readonly id: string }
  | { readonly type: 'group'; readonly id: string }
  | { readonly type: 'everyone' };

/**
 * A level given to a principal on a team, or on the organisation (`teamId` null: that level on
 * every team, present and future). One grant per principal and scope.
 */
export interface Grant {
  readonly id: string;
  readonly teamId: string | null;
  readonly principal: Principal;
  readonly level: Level;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** The name the organisation scope has in DNs (`cn=organization.<level>`) and messages. */
export const ORGANIZATION = 'organization';

/** A stable text key of a principal: `user:<id>`, `group:<id>`, `everyone`. */
export const principalKey = (p: Principal): string => (p.type === 'everyone' ? 'everyone' : `${p.type}:${p.id}`);
