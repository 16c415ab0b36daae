import type { User } from '../../domain/model.js';

/** The export columns, in order, exactly as DESIGN §7 names them, and their JSON (camelCase) keys. */
export const EXPORT_COLUMNS = ['id', 'username', 'email', 'fallback email', 'full name', 'role', 'active'] as const;
export type ExportColumn = (typeof EXPORT_COLUMNS)[number];

export const JSON_KEYS: Readonly<Record<ExportColumn, string>> = {
  id: 'id',
  username: 'username',
  email: 'email',
  'fallback email': 'fallbackEmail',
  'full name': 'fullName',
  role: 'role',
  active: 'active',
};

export interface ExportedUser {
  readonly id: string;
  readonly username: string;
  readonly email: string;
  readonly fallbackEmail: string;
  readonly fullName: string;
  readonly role: string;
  readonly active: boolean;
}

/** Absent values are empty strings, so CSV and JSON carry the same data. */
export const toExported = (user: User): ExportedUser => ({
  id: user.id,
  username: user.username ?? '',
  email: user.email,
  fallbackEmail: user.fallbackEmail ?? '',
  fullName: user.displayName,
  role: user.role,
  active: user.active,
});
