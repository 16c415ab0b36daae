import { DirectoryError } from '../domain/errors.js';

/**
 * Turns database errors into DirectoryErrors so that no raw pg/PGlite error leaves the store.
 * Both drivers put the SQLSTATE in `code` and the violated constraint in `constraint` (PGlite
 * parses the same ErrorResponse fields); the message is a fallback for the constraint name.
 */

interface UniqueRule {
  readonly field: string;
  readonly message: (value: string) => string;
}

const UNIQUE_RULES: Record<string, UniqueRule> = {
  users_username_lower_key: { field: 'username', message: (v) => `username "${v}" is already taken` },
  users_email_lower_key: { field: 'email', message: (v) => `email "${v}" is already in use` },
  users_source_id_key: { field: 'sourceId', message: (v) => `a user with source id "${v}" already exists` },
  users_pkey: { field: 'id', message: (v) => `a user with id "${v}" already exists` },
  groups_name_lower_key: { field: 'name', message: (v) => `group name "${v}" is already taken` },
  groups_source_id_key: { field: 'sourceId', message: (v) => `a group with source id "${v}" already exists` },
  groups_pkey: { field: 'id', message: (v) => `a group with id "${v}" already exists` },
  apps_name_lower_key: { field: 'name', message: (v) => `application "${v}" already exists` },
  teams_name_lower_key: { field: 'name', message: (v) => `team name "${v}" is already taken` },
  teams_pkey: { field: 'id', message: (v) => `a team with id "${v}" already exists` },
  grants_principal_scope_key: { field: 'principal', message: () => 'that principal already has a grant in this scope' },
  service_accounts_name_lower_key: {
    field: 'name',
    message: (v) => `service account "${v}" already exists`,
  },
};

interface PgLikeError {
  code?: unknown;
  constraint?: unknown;
  message?: unknown;
}

function constraintOf(error: PgLikeError): string | undefined {
  if (typeof error.constraint === 'string' && error.constraint !== '') return error.constraint;
  const match = typeof error.message === 'string' ? /constraint "([^"]+)"/.exec(error.message) : null;
  return match?.[1];
}

/** Connection-level failures: the database is down or restarting, so callers answer 503/unavailable. */
const CONNECTION_CODES = new Set(['57P01', '57P02', '57P03', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE']);
function isConnectionError(error: PgLikeError): boolean {
  const code = typeof error.code === 'string' ? error.code : '';
  if (CONNECTION_CODES.has(code) || code.startsWith('08')) return true;
  // pg's own wording for a client whose server went away mid-session (e.g. `pg_ctl stop`).
  return typeof error.message === 'string' && /Connection terminated|connection timeout|connection error and is not queryable/i.test(error.message);
}

export function isDatabaseError(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as PgLikeError).code === code;
}

/**
 * @param values the offending input by field name, quoted in the conflict message.
 * @returns a DirectoryError for the cases callers can act on; anything else unchanged.
 */
export function mapDbError(error: unknown, values: Record<string, unknown> = {}): unknown {
  if (error instanceof DirectoryError || typeof error !== 'object' || error === null) return error;
  const pgError = error as PgLikeError;
  const constraint = constraintOf(pgError);
  switch (pgError.code) {
    case '23505': {
      const rule = constraint === undefined ? undefined : UNIQUE_RULES[constraint];
      if (!rule) return new DirectoryError('conflict', 'the record already exists', { cause: error });
      const value = String(values[rule.field] ?? '');
      return new DirectoryError('conflict', rule.message(value), { field: rule.field, cause: error });
    }
    case '23503':
      return new DirectoryError('not_found', 'a referenced user or group does not exist', { cause: error });
    case '23514':
    case '22P02':
    case '23502':
      return new DirectoryError('invalid', `invalid value (${constraint ?? String(pgError.message)})`, {
        cause: error,
      });
    case '22021': // character_not_in_repertoire: a NUL (or invalid UTF-8) in text
    case '22P05': // untranslatable_character
      // The protocol edges refuse NUL (domain/storable-text.ts); this is the net behind them.
      return new DirectoryError('invalid', 'the text contains a character the database cannot store (NUL)', { cause: error });
    case '40P01':
    case '40001':
      return new DirectoryError('unavailable', 'the write collided with a concurrent one; try again', { cause: error });
    default:
      if (isConnectionError(pgError)) {
        return new DirectoryError('unavailable', 'the database is unavailable', { cause: error });
      }
      return error;
  }
}
