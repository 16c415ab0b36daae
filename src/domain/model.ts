/** The directory's records as the use cases and the view see them (store rows, decoded). */
export const ROLES = ['user', 'usermanager', 'mailmanager', 'admin', 'owner'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Where a record comes from. Users: `local`, `ldap` (mirrored by the connector) or
 * `self-registered` (created by their first SAML/OIDC sign-in on an allowed domain, issue 14).
 * Groups: `local`, `ldap`, or `saml` / `oidc` (the identity provider's groups, created on first
 * sight and whose memberships each SSO sign-in replaces).
 */
export type UserSource = 'local' | 'ldap' | 'self-registered';
export type GroupSource = 'local' | 'ldap' | 'saml' | 'oidc';
export type Source = UserSource | GroupSource;

export interface User {
  readonly id: string; // uuid, lower case
  readonly username: string | null; // null until an invite is accepted
  readonly email: string;
  readonly fallbackEmail: string | null;
  readonly displayName: string;
  readonly role: Role;
  readonly active: boolean;
  readonly source: UserSource;
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
  readonly source: GroupSource;
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
