import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { DirectoryError, invalid, notFound } from '../domain/errors.js';
import type { Database } from './schema.js';
import { appendChanges, type NewChange } from './change-log.js';
import { mapDbError } from './db-errors.js';
import { isUuid } from '../domain/uuid.js';
import { Mutex } from './mutex.js';

/**
 * What every mutator needs inside one write transaction: the kysely transaction, change-log
 * appends (remembering the highest revision for the post-commit announcement) and `step`, which
 * makes one mutator all-or-nothing.
 *
 * Why savepoints: in Postgres an error aborts the whole transaction, so a caller that catches a
 * conflict (an import reporting bad rows, say) could not go on. Each mutator runs inside its own
 * SAVEPOINT and rolls back to it on error, so the transaction stays usable and the error surfaces
 * as a DirectoryError. Mutators of one transaction are serialised (a per-transaction mutex): with
 * interleaved savepoints a rollback could undo a sibling's statements.
 */
export class TxContext {
  readonly trx: Transaction<Database>;
  #mutex = new Mutex();
  #savepoints = 0;
  #revision: number | undefined;
  #closed = false;
  #locked = false;

  constructor(trx: Transaction<Database>) {
    this.trx = trx;
  }

  /** The highest revision this transaction appended, if any. */
  get revision(): number | undefined {
    return this.#revision;
  }

  /** Resolves once every mutator started so far has finished. */
  settled(): Promise<void> {
    return this.#mutex.run(async () => undefined);
  }

  close(): void {
    this.#closed = true;
  }

  async changed(...changes: NewChange[]): Promise<void> {
    const revision = await appendChanges(this.trx, changes);
    if (revision !== undefined) this.#revision = revision;
  }

  /**
   * Runs one mutator atomically; `values` name the input quoted in conflict messages.
   * Unless `logged` is false, the revision row is locked first (once per transaction): every
   * writer then takes that lock before any row lock of its own, so two writers can never wait
   * for each other in a cycle (say, each inserting a username the other has pending).
   */
  step<T>(values: Record<string, unknown>, fn: () => Promise<T>, logged = true): Promise<T> {
    if (this.#closed) return Promise.reject(new DirectoryError('internal', 'transaction already finished'));
    return this.#mutex.run(async () => {
      if (logged && !this.#locked) {
        await this.trx.selectFrom('store_revision').select('revision').forUpdate().execute();
        this.#locked = true;
      }
      const name = `pgdir_sp_${++this.#savepoints}`;
      const revisionBefore = this.#revision;
      await sql.raw(`SAVEPOINT ${name}`).execute(this.trx);
      try {
        const result = await fn();
        await sql.raw(`RELEASE SAVEPOINT ${name}`).execute(this.trx);
        return result;
      } catch (error) {
        // The rolled-back changes also undid their counter bumps: forget their revisions.
        this.#revision = revisionBefore;
        // If even this fails the connection is gone and the commit will fail; report the cause.
        await sql.raw(`ROLLBACK TO SAVEPOINT ${name}`).execute(this.trx).catch(() => undefined);
        throw mapDbError(error, values);
      }
    });
  }
}

/** A caller-supplied id must be a uuid; stored lower case (DESIGN §3 entry DNs use it). */
export function newId(id: string | undefined): string {
  if (id === undefined) return randomUUID();
  if (!isUuid(id)) throw invalid(`id "${id}" is not a uuid`, 'id');
  return id.toLowerCase();
}

export function requireId(id: string, what: string): string {
  if (!isUuid(id)) throw notFound(`${what} "${id}" does not exist`);
  return id.toLowerCase();
}

export function found<T>(row: T | undefined, what: string, id: string): T {
  if (row === undefined) throw notFound(`${what} "${id}" does not exist`);
  return row;
}

export function jsonParam(value: unknown, field: string): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw invalid(`${field} must be a JSON value`, field);
  return text;
}
