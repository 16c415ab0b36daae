/**
 * Applications (issue 16): a client of the directory with its own bind identity
 * `cn=<name>,ou=apps,<suffix>`, optional source CIDRs, and an access rule saying which users it
 * may see and sign in. pgdir admins and owners always have access (checked where access is
 * evaluated, app-access.ts), so the rule lists only the others.
 */

import { LEVELS, type Level } from './levels.js';

/** Team permission levels, lowest first (DESIGN §11, levels.ts); a rule grants "at least" its level. */
export const TEAM_LEVELS = LEVELS;
export type TeamLevel = Level;

export interface TeamRule {
  /** The team's id (resolved from a name or id when the rule is written). */
  readonly team: string;
  readonly level: TeamLevel;
}

/**
 * Who may use an application besides admins. `everyone` excludes the lists; otherwise a user
 * needs membership of any listed group or at least the level on any listed team. Both lists
 * empty means nobody but admins, stated explicitly when the app was created (never a default).
 */
export interface AppAccess {
  readonly everyone: boolean;
  /** Stored group ids. */
  readonly groups: readonly string[];
  readonly teams: readonly TeamRule[];
}

export interface Application {
  readonly id: string;
  /** Group-name rules: lower case, letters, digits, `.` and `-`. */
  readonly name: string;
  readonly description: string;
  readonly secretHash: string;
  readonly allowedCidrs: readonly string[];
  readonly access: AppAccess;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export const NOBODY_BUT_ADMINS: AppAccess = Object.freeze({ everyone: false, groups: Object.freeze([]), teams: Object.freeze([]) });
