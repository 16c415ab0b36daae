import type { AppPassword } from '../directory/auth/app-passwords.js';
import type { Group, Role, User } from '../domain/model.js';

/** What management commands return: JSON-safe, never a password hash. */
export interface UserSummary {
  readonly id: string;
  readonly username: string | null;
  readonly email: string;
  readonly displayName: string;
  readonly role: Role;
  readonly active: boolean;
  readonly uidNumber: number;
}

export interface GroupSummary {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly gidNumber: number;
  /** Usernames (or emails for users without one), sorted. */
  readonly members: readonly string[];
}

export const toUserSummary = (user: User): UserSummary => ({
  id: user.id,
  username: user.username,
  email: user.email,
  displayName: user.displayName,
  role: user.role,
  active: user.active,
  uidNumber: user.uidNumber,
});

export const toGroupSummary = (group: Group, members: readonly User[]): GroupSummary => ({
  id: group.id,
  name: group.name,
  description: group.description,
  gidNumber: group.gidNumber,
  members: members.map((u) => u.username ?? u.email).sort(),
});

/** An app password as the CLI shows it (issue 14): never the secret. */
export interface AppPasswordSummary {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
}

export const toAppPasswordSummary = (p: AppPassword): AppPasswordSummary => ({
  id: p.id,
  name: p.name,
  createdAt: p.createdAt.toISOString(),
  lastUsedAt: p.lastUsedAt === null ? null : p.lastUsedAt.toISOString(),
});
