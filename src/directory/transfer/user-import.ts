import { actorLabel } from '../../domain/actor.js';
import { auditUser } from '../audit-record.js';
import type { Actor } from '../../domain/actor.js';
import { DirectoryError, conflict } from '../../domain/errors.js';
import { assertMay } from '../../domain/permissions.js';
import { throttleProgress, yieldToEventLoop, type ProgressListener } from '../../domain/progress.js';
import type { AuditEntry, NewUser, Store, StoreTx } from '../../store/store.js';
import type { User } from '../../domain/model.js';
import type { ImportError, ReadRecord } from './import-rows.js';
import { rowError, validateRecords, type Candidate } from './import-validate.js';

/**
 * Users import (DESIGN §7): every record is validated first (syntax, the caller's right to give
 * its role, duplicates within the file and in the directory). `atomic` writes nothing unless every
 * record is valid; `partial` writes the valid ones. Either way it is one transaction, each user
 * audited like a single create. Imported users have no password (they are invited later).
 *
 * Why batches: one insert per row cost ~10 ms on PGlite (issue 12). The directory is checked and
 * written a batch at a time (store/user-batch.ts); a batch the database refuses (a name taken
 * since the check, by a concurrent writer) is retried row by row, so the report still names each
 * offending row. Between batches the event loop runs: with PGlite the database shares this
 * thread, and LDAP and HTTP must keep answering during a large import (issue 20, defect 4).
 */
export type ImportMode = 'atomic' | 'partial';
export interface ImportReport {
  readonly created: number;
  readonly errors: ImportError[];
}
export interface ImportOptions {
  /** Progress events: `validating` and `checking` (records), `writing` (valid records). */
  readonly onProgress?: ProgressListener | undefined;
  /** Rows per statement; default 100 on PGlite (each batch ~10 ms of this thread), 1000 on PostgreSQL. */
  readonly batchSize?: number;
}

class Rollback extends Error {
  constructor(readonly report: ImportReport) {
    super('import rolled back');
  }
}

const byRow = (errors: ImportError[]): ImportError[] => errors.sort((a, b) => a.row - b.row);

/** The same refusals, in the same order, as assertUniqueUser + the id check of a single create. */
async function checkDirectory(tx: StoreTx, chunk: readonly Candidate[], errors: ImportError[]): Promise<Candidate[]> {
  const taken = await tx.takenUserKeys({
    usernames: chunk.flatMap((c) => (c.user.username === null || c.user.username === undefined ? [] : [c.user.username])),
    emails: chunk.map((c) => c.user.email),
    ids: chunk.flatMap((c) => (c.id === undefined ? [] : [c.id])),
  });
  const valid: Candidate[] = [];
  for (const c of chunk) {
    const { username, email } = c.user;
    const problem =
      username !== null && username !== undefined && taken.usernames.has(username)
        ? conflict(`username "${username}" is already taken`, 'username')
        : taken.emails.has(email)
          ? conflict(`email "${email}" is already in use`, 'email')
          : c.id !== undefined && taken.ids.has(c.id)
            ? conflict(`a user with id "${c.id}" already exists`, 'id')
            : undefined;
    if (problem === undefined) valid.push(c);
    else errors.push(rowError(c.row, problem));
  }
  return valid;
}

function newUser(candidate: Candidate): NewUser {
  const { password: _none, ...fields } = candidate.user;
  return { ...fields, ...(candidate.id === undefined ? {} : { id: candidate.id }), passwordHash: null };
}

const createAudit = (actor: Actor) => (user: User): AuditEntry => ({
  actor: actorLabel(actor),
  action: 'user.create',
  target: user.id,
  details: { after: auditUser(user), password: false, import: true },
});

/** One batch; when the database refuses it, row by row so that only the offending rows fail. */
async function writeChunk(tx: StoreTx, actor: Actor, chunk: readonly Candidate[], errors: ImportError[], mode: ImportMode): Promise<number> {
  try {
    const users = await tx.insertUsers(chunk.map(newUser));
    await tx.appendAudits(users.map(createAudit(actor)));
    return users.length;
  } catch (error) {
    if (!(error instanceof DirectoryError) || error.kind === 'internal' || error.kind === 'unavailable') throw error;
  }
  let created = 0;
  for (const candidate of chunk) {
    try {
      const user = await tx.insertUser(newUser(candidate));
      await tx.appendAudit(createAudit(actor)(user));
      created++;
    } catch (error) {
      errors.push(rowError(candidate.row, error));
      if (mode === 'atomic') throw new Rollback({ created: 0, errors: byRow(errors) });
    }
  }
  return created;
}

async function inBatches<T>(items: readonly T[], size: number, fn: (chunk: readonly T[], done: number) => Promise<void>): Promise<void> {
  for (let at = 0; at < items.length; at += size) {
    const chunk = items.slice(at, at + size);
    await fn(chunk, at + chunk.length);
    await yieldToEventLoop();
  }
}

export async function importUsers(
  store: Store,
  actor: Actor,
  records: readonly ReadRecord[],
  mode: ImportMode,
  options: ImportOptions = {},
): Promise<ImportReport> {
  assertMay(actor, 'users.import');
  const progress = throttleProgress(options.onProgress);
  const size = options.batchSize ?? (store.mode === 'pglite' ? 100 : 1000);
  progress?.({ phase: 'validating', done: 0, total: records.length });
  const { candidates, errors } = await validateRecords(actor, records, progress);
  try {
    return await store.write(async (tx) => {
      const valid: Candidate[] = [];
      progress?.({ phase: 'checking', done: 0, total: candidates.length });
      await inBatches(candidates, size, async (chunk, done) => {
        valid.push(...(await checkDirectory(tx, chunk, errors)));
        progress?.({ phase: 'checking', done, total: candidates.length });
      });
      if (mode === 'atomic' && errors.length > 0) return { created: 0, errors: byRow(errors) };
      let created = 0;
      progress?.({ phase: 'writing', done: 0, total: valid.length });
      await inBatches(valid, size, async (chunk, done) => {
        created += await writeChunk(tx, actor, chunk, errors, mode);
        progress?.({ phase: 'writing', done, total: valid.length });
      });
      await tx.appendAudit({ actor: actorLabel(actor), action: 'users.import', target: null, details: { mode, created, rejected: errors.length } });
      return { created, errors: byRow(errors) };
    });
  } catch (error) {
    if (error instanceof Rollback) return error.report;
    throw error;
  }
}
