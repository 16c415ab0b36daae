import { actorLabel, type Actor } from '../../domain/actor.js';
import { auditUser } from '../audit-record.js';
import { parseAddUser, type ParsedNewUser } from '../user-input.js';
import { assertUniqueUser } from '../user-guards.js';
import { DirectoryError, conflict, invalid } from '../../domain/errors.js';
import { assertMay, may } from '../../domain/permissions.js';
import { isUuid } from '../../domain/uuid.js';
import type { Store, StoreTx } from '../../store/store.js';
import type { ImportError, ReadRecord } from './import-rows.js';

/**
 * Users import (DESIGN §7): every record is validated first (syntax, the caller's right to give
 * its role, duplicates within the file and in the directory). `atomic` writes nothing unless every
 * record is valid; `partial` writes the valid ones. Either way it is one transaction, each user
 * audited like a single create. Imported users have no password (they are invited later).
 */
export type ImportMode = 'atomic' | 'partial';
export interface ImportReport {
  readonly created: number;
  readonly errors: ImportError[];
}

interface Candidate {
  readonly row: number;
  readonly id: string | undefined;
  readonly user: ParsedNewUser;
}

const API_FIELD: Readonly<Record<string, string>> = { name: 'fullName' };

function rowError(row: number, error: unknown): ImportError {
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
function validateRecords(actor: Actor, records: readonly ReadRecord[]): { candidates: Candidate[]; errors: ImportError[] } {
  const errors: ImportError[] = [];
  const candidates: Candidate[] = [];
  const seen = new Map<string, number>();
  for (const record of records) {
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

async function checkDirectory(tx: StoreTx, candidate: Candidate): Promise<void> {
  await assertUniqueUser(tx, candidate.user);
  if (candidate.id !== undefined && (await tx.getUser(candidate.id)) !== undefined) {
    throw conflict(`a user with id "${candidate.id}" already exists`, 'id');
  }
}

async function insert(tx: StoreTx, actor: Actor, candidate: Candidate): Promise<void> {
  const { password: _none, ...fields } = candidate.user;
  const user = await tx.insertUser({ ...fields, ...(candidate.id === undefined ? {} : { id: candidate.id }), passwordHash: null });
  await tx.appendAudit({ actor: actorLabel(actor), action: 'user.create', target: user.id, details: { after: auditUser(user), password: false, import: true } });
}

class Rollback extends Error {
  constructor(readonly report: ImportReport) {
    super('import rolled back');
  }
}

export async function importUsers(store: Store, actor: Actor, records: readonly ReadRecord[], mode: ImportMode): Promise<ImportReport> {
  assertMay(actor, 'users.import');
  const { candidates, errors } = validateRecords(actor, records);
  try {
    return await store.write(async (tx) => {
      const valid: Candidate[] = [];
      for (const candidate of candidates) {
        await checkDirectory(tx, candidate).then(() => valid.push(candidate), (error: unknown) => errors.push(rowError(candidate.row, error)));
      }
      const sorted = () => errors.sort((a, b) => a.row - b.row);
      if (mode === 'atomic' && errors.length > 0) return { created: 0, errors: sorted() };
      let created = 0;
      for (const candidate of valid) {
        try {
          await insert(tx, actor, candidate);
          created++;
        } catch (error) {
          errors.push(rowError(candidate.row, error));
          if (mode === 'atomic') throw new Rollback({ created: 0, errors: sorted() });
        }
      }
      await tx.appendAudit({ actor: actorLabel(actor), action: 'users.import', target: null, details: { mode, created, rejected: errors.length } });
      return { created, errors: sorted() };
    });
  } catch (error) {
    if (error instanceof Rollback) return error.report;
    throw error;
  }
}
