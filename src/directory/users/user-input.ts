import { normalizeDisplayName } from '../../domain/display-name.js';
import { normalizeEmail, normalizeOptionalEmail } from '../../domain/email.js';
import { invalid } from '../../domain/errors.js';
import type { Role } from '../../domain/model.js';
import { checkPassword } from '../../domain/password-rules.js';
import { parseRole } from '../../domain/roles.js';
import { normalizeUsername } from '../../domain/username.js';
import type { UserPatch } from '../../store/store.js';

/** What the CLI, the API and imports give to create a user (fields as received, validated here). */
export interface AddUserInput {
  /** Empty or absent for an invited user who chooses it later (DESIGN §7). */
  readonly username?: string | null;
  readonly email: string;
  readonly fallbackEmail?: string | null;
  /** Full name. */
  readonly name?: string | null;
  readonly role?: string;
  /** Absent: the user gets an invite instead. */
  readonly password?: string | null;
  readonly active?: boolean;
}

/** Profile fields a manager may change; role, active flag and password have their own use cases. */
export interface UpdateUserInput {
  readonly username?: string;
  readonly email?: string;
  readonly fallbackEmail?: string | null;
  readonly name?: string | null;
}

export interface ParsedNewUser {
  readonly username: string | null;
  readonly email: string;
  readonly fallbackEmail: string | null;
  readonly displayName: string;
  readonly role: Role;
  readonly active: boolean;
  readonly password: string | null;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function parseAddUser(input: unknown): ParsedNewUser {
  if (!isRecord(input)) throw invalid('user details must be an object');
  const blank = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
  if (input.active !== undefined && typeof input.active !== 'boolean') throw invalid('active must be true or false', 'active');
  return {
    username: blank(input.username) ? null : normalizeUsername(input.username),
    email: normalizeEmail(input.email),
    fallbackEmail: normalizeOptionalEmail(input.fallbackEmail, 'fallbackEmail'),
    displayName: normalizeDisplayName(input.name),
    role: input.role === undefined ? 'user' : parseRole(input.role),
    active: input.active ?? true,
    password: input.password === undefined || input.password === null ? null : checkPassword(input.password),
  };
}

const UPDATE_FIELDS = ['username', 'email', 'fallbackEmail', 'name'];

/** Validates the fields present; unknown fields are refused so typos do not pass silently. */
export function parseUpdateUser(input: unknown): UserPatch {
  if (!isRecord(input)) throw invalid('user changes must be an object');
  const unknown = Object.keys(input).find((k) => !UPDATE_FIELDS.includes(k));
  if (unknown !== undefined) {
    throw invalid(`cannot change "${unknown}" here; changeable fields are ${UPDATE_FIELDS.join(', ')}`, unknown);
  }
  const patch: { -readonly [K in keyof UserPatch]: UserPatch[K] } = {};
  if (input.username !== undefined) patch.username = normalizeUsername(input.username);
  if (input.email !== undefined) patch.email = normalizeEmail(input.email);
  if (input.fallbackEmail !== undefined) patch.fallbackEmail = normalizeOptionalEmail(input.fallbackEmail, 'fallbackEmail');
  if (input.name !== undefined) patch.displayName = normalizeDisplayName(input.name);
  if (Object.keys(patch).length === 0) throw invalid(`nothing to change; give one of ${UPDATE_FIELDS.join(', ')}`);
  return patch;
}
