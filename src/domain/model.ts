/** The directory's records as the use cases and the view see them (store rows, decoded). */
export const ROLES = ['user', 'usermanager', 'mailmanager', 'admin', 'owner'] as const;
export type Role = (typeof ROLES)[number];

export type Source = 'local' | 'ldap';

export interface User {
  readonly id: string; // uuid, lower case
  readonly username: string | null; // null until an invite is accepted
  readonly email: string;
  readonly fallbackEmail: string | null;
  readonly displayName: string;
  readonly role: Role;
  readonly active: boolean;
  readonly source: Source;
  readonly sourceId: string | null; // stable id in the external directory
  readonly sourceDn: string | null;
  readonly passwordHash: string | null;
  readonly uidNumber: number;
  readonly totpEnabled: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly passwordChangedAt: Date | null;
}

export interface Group {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly gidNumber: number;
  readonly source: Source;
  readonly sourceId: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface Membership {
  readonly groupId: string;
  readonly userId: string;
}

/** A service account in ou=system (cn=admin is the built-in directory admin). */
export interface ServiceAccount {
  readonly id: string;
  readonly name: string;
  readonly secretHash: string;
  readonly allowedCidrs: readonly string[];
  readonly privileged: boolean; // may set other users' passwords over LDAP
  readonly createdAt: Date;
}
