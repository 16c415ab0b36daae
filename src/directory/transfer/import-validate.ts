import { parseAddUser, type ParsedNewUser } from '../users/user-input.js';
import type { Actor } from '../../domain/actor.js';
import { DirectoryError, conflict, invalid } from '../../domain/errors.js';
import { may } from '../../domain/permissions.js';
import { yieldToEventLoop, type ProgressListener } from '../../domain/progress.js';
import type { ImportError, ReadRecord } from './import-rows.js';
import { isUuid } from '../../domain/uuid.js';

/** One valid record of an import file, ready to be checked against the directory and written. */
export interface Candidate {
  readonly row: number;
  readonly id: string | undefined;
  readonly user: ParsedNewUser;
}

const API_FIELD: Readonly<Record<string, string>> = { name: 'fullName' };
/** Validation yields to the event loop after this long (ms): ~0.03 ms a record, 20,000 of them. */
const SLICE_MS = 8;

/** A DirectoryError about one record becomes its report line; anything else is not the row's fault. */
export function rowError(row: number, error: unknown): ImportError {
  if (!(error instanceof DirectoryError) || error.kind === 'internal' || error.kind === 'unavailable') throw error;
  const field = error.field === undefined ? 'row' : (API_FIELD[error.field] ?? error.field);
  const message = error.field !== undefined && error.message.startsWith(`${error.field} `) ? `${field}${error.message.slice(error.field.length)}` : error.message;
  return { row, field, message };
}

function toCandidate(actor: Actor, row: number, values: Readonly<Record<string, unknown>>): Candidate {
  const blank = (v: unknown): boolean => v === undefined || v === null || v === '';
  const user = parseAddUser({
    username: values['username'] as string,
    email: values['email'] as string,
    fallbackEmail: values['fallbackEmail'] as string,
    name: values['fullName'] as string,
    ...(blank(values['role']) ? {} : { role: values['role'] as string }),
    ...(values['active'] === undefined ? {} : { active: values['active'] as boolean }),
  });
  const rawId = values['id'];
  if (!blank(rawId) && (typeof rawId !== 'string' || !isUuid(rawId))) throw invalid('id must be a UUID (or empty)', 'id');
  const decision = may(actor, 'user.create', { newRole: user.role });
  if (!decision.allowed) throw new DirectoryError('forbidden', decision.reason, { field: 'role' });
  return { row, id: blank(rawId) ? undefined : (rawId as string).toLowerCase(), user };
}

/** Syntax and in-file duplicates; a later record repeating an earlier one is the one reported. */
export async function validateRecords(
  actor: Actor,
  records: readonly ReadRecord[],
  progress: ProgressListener | undefined,
): Promise<{ candidates: Candidate[]; errors: ImportError[] }> {
  const errors: ImportError[] = [];
  const candidates: Candidate[] = [];
  const seen = new Map<string, number>();
  let slice = performance.now();
  for (const [i, record] of records.entries()) {
    if (performance.now() - slice > SLICE_MS) {
      progress?.({ phase: 'validating', done: i, total: records.length });
      await yieldToEventLoop();
      slice = performance.now();
    }
    if ('error' in record) {
      errors.push(record.error);
      continue;
    }
    try {
      const candidate = toCandidate(actor, record.row, record.values);
      const keys: [string, string | null | undefined][] = [['id', candidate.id], ['username', candidate.user.username], ['email', candidate.user.email]];
      for (const [field, value] of keys) {
        const first = value === undefined || value === null ? undefined : seen.get(`${field}:${value}`);
        if (first !== undefined) throw conflict(`${field} "${value}" is already used by row ${first} of this file`, field);
      }
      for (const [field, value] of keys) if (value !== undefined && value !== null) seen.set(`${field}:${value}`, record.row);
      candidates.push(candidate);
    } catch (error) {
      errors.push(rowError(record.row, error));
    }
  }
  return { candidates, errors };
}
