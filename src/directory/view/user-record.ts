import type { Role, User, UserSource } from '../../domain/model.js';

/** One string per role and source for every record (a driver returns a new one per row). */
const INTERNED = new Map<string, string>(['user', 'usermanager', 'mailmanager', 'admin', 'owner', 'local', 'ldap', 'self-registered'].map((s) => [s, s]));
const intern = <T extends string>(value: T): T => (INTERNED.get(value) as T | undefined) ?? value;

/**
 * A user as the view keeps it (issue 18, footprint): the record's fields, with its three times
 * held as epoch milliseconds instead of Date objects (a Date costs ~100 bytes, three per user)
 * and the role and source strings shared. Reads see a User: the times are Dates made on access.
 * Being a class, it does not survive a structured clone or a spread whole: what leaves the view
 * (a bind target) is a plain copy (`plainUser`).
 */
export class UserRecord implements User {
  readonly id: string;
  readonly username: string | null;
  readonly email: string;
  readonly fallbackEmail: string | null;
  readonly displayName: string;
  readonly role: Role;
  readonly active: boolean;
  readonly source: UserSource;
  readonly sourceId: string | null;
  readonly sourceDn: string | null;
  readonly passwordHash: string | null;
  readonly uidNumber: number;
  readonly totpEnabled: boolean;
  readonly createdMs: number;
  readonly updatedMs: number;
  /** NaN: never changed (passwordChangedAt null). */
  readonly passwordChangedMs: number;

  constructor(user: User, updatedAt: Date = user.updatedAt) {
    this.id = user.id;
    this.username = user.username;
    this.email = user.email;
    this.fallbackEmail = user.fallbackEmail;
    this.displayName = user.displayName;
    this.role = intern(user.role);
    this.active = user.active;
    this.source = intern(user.source);
    this.sourceId = user.sourceId;
    this.sourceDn = user.sourceDn;
    this.passwordHash = user.passwordHash;
    this.uidNumber = user.uidNumber;
    this.totpEnabled = user.totpEnabled;
    this.createdMs = user.createdAt.getTime();
    this.updatedMs = updatedAt.getTime();
    this.passwordChangedMs = user.passwordChangedAt?.getTime() ?? NaN;
  }

  get createdAt(): Date {
    return new Date(this.createdMs);
  }

  get updatedAt(): Date {
    return new Date(this.updatedMs);
  }

  get passwordChangedAt(): Date | null {
    return Number.isNaN(this.passwordChangedMs) ? null : new Date(this.passwordChangedMs);
  }
}

/** The view's record of a user (kept as is when it is one already). */
export const userRecord = (user: User): UserRecord => (user instanceof UserRecord ? user : new UserRecord(user));

/** A plain User with the same values, for callers outside the view (it may be cloned to another thread). */
export function plainUser(user: User): User {
  return {
    id: user.id, username: user.username, email: user.email, fallbackEmail: user.fallbackEmail, displayName: user.displayName,
    role: user.role, active: user.active, source: user.source, sourceId: user.sourceId, sourceDn: user.sourceDn,
    passwordHash: user.passwordHash, uidNumber: user.uidNumber, totpEnabled: user.totpEnabled,
    createdAt: user.createdAt, updatedAt: user.updatedAt, passwordChangedAt: user.passwordChangedAt,
  };
}

/** Epoch milliseconds of a user's creation without making a Date for a view record. */
export const createdMs = (user: User): number => (user instanceof UserRecord ? user.createdMs : user.createdAt.getTime());
