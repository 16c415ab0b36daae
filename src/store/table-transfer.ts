import { sql, type Kysely, type Transaction } from 'kysely';
import { DirectoryError } from '../domain/errors.js';
import type { Database } from './schema.js';

/**
 * Every table of the store as plain JSON-able rows, read in one repeatable-read snapshot, and
 * written back into an empty store in one transaction (backup/restore, moving off the embedded
 * store). Generic over the schema on purpose: a table added by a later migration (teams, grants,
 * applications) travels without a change here. Values are kept exactly: ids, uid/gid numbers,
 * password hashes, sealed secrets, timestamps; sequences keep their positions so numbers are never
 * handed out twice.
 */
export interface TableDump {
  /** Migrations applied to the source, in order (schema_migrations). */
  readonly migrations: readonly string[];
  readonly tables: Readonly<Record<string, { readonly columns: readonly string[]; readonly rows: readonly (readonly unknown[])[] }>>;
  readonly sequences: Readonly<Record<string, { readonly last: string; readonly called: boolean }>>;
}

export interface TableTransfer {
  dump(): Promise<TableDump>;
  /** Whether the store holds no users, groups or service accounts (what restore may fill). */
  isEmpty(): Promise<boolean>;
  /** Replaces every dumped table's rows (one transaction); the caller checks emptiness first. */
  load(dump: TableDump): Promise<void>;
}

/** Not directory state: brute-force counters are transient; migrations are the target's own. */
const SKIPPED = new Set(['auth_failures', 'schema_migrations']);

interface Column {
  readonly table: string;
  readonly name: string;
  readonly udt: string;
}

async function columnsOf(db: Kysely<Database> | Transaction<Database>): Promise<Map<string, Column[]>> {
  const { rows } = await sql<{ table_name: string; column_name: string; udt_name: string }>`
    SELECT c.table_name, c.column_name, c.udt_name FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_name = c.table_name AND t.table_schema = c.table_schema
    WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
    ORDER BY c.table_name, c.ordinal_position`.execute(db);
  const tables = new Map<string, Column[]>();
  for (const r of rows) {
    if (SKIPPED.has(r.table_name)) continue;
    const list = tables.get(r.table_name) ?? [];
    list.push({ table: r.table_name, name: r.column_name, udt: r.udt_name });
    tables.set(r.table_name, list);
  }
  return tables;
}

/** Parents before children (foreign keys), so inserts never point at a row not yet there. */
async function insertOrder(db: Transaction<Database>, tables: readonly string[]): Promise<string[]> {
  const { rows } = await sql<{ child: string; parent: string }>`
    SELECT tc.table_name AS child, ccu.table_name AS parent
    FROM information_schema.table_constraints tc
    JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema
    WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema()`.execute(db);
  const ordered: string[] = [];
  const visit = (table: string, path: Set<string>): void => {
    if (ordered.includes(table) || path.has(table)) return;
    path.add(table);
    for (const r of rows) if (r.child === table && r.parent !== table) visit(r.parent, path);
    if (tables.includes(table)) ordered.push(table);
  };
  for (const t of [...tables].sort()) visit(t, new Set());
  return ordered;
}

/** JSON-able value of a column: bytea as base64, timestamps as ISO strings, the rest as pg gives it. */
function encode(value: unknown, udt: string): unknown {
  if (value === null || value === undefined) return null;
  if (udt === 'bytea' && value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  return value;
}

function decode(value: unknown, udt: string): unknown {
  if (value === null) return null;
  if (udt === 'bytea' && typeof value === 'string') return Buffer.from(value, 'base64');
  if (udt === 'json' || udt === 'jsonb') return JSON.stringify(value);
  return value;
}

export function createTableTransfer(db: Kysely<Database>, run: <T>(fn: () => Promise<T>) => Promise<T>): TableTransfer {
  return {
    dump: () => run(() => db.transaction().setIsolationLevel('repeatable read').execute((trx) => dumpIn(trx))),
    isEmpty: () =>
      run(async () => {
        const { rows } = await sql<{ n: string | number }>`
          SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM groups) + (SELECT count(*) FROM service_accounts) AS n`.execute(db);
        return Number(rows[0]?.n ?? 0) === 0;
      }),
    load: (dump) => run(() => db.transaction().execute((trx) => loadIn(trx, dump))),
  };
}

async function dumpIn(trx: Transaction<Database>): Promise<TableDump> {
  const columns = await columnsOf(trx);
  const tables: Record<string, { columns: string[]; rows: unknown[][] }> = {};
  for (const [table, cols] of columns) {
    const { rows } = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(table)}`.execute(trx);
    tables[table] = { columns: cols.map((c) => c.name), rows: rows.map((row) => cols.map((c) => encode(row[c.name], c.udt))) };
  }
  const seqs = await sql<{ name: string; last: string | null; called: boolean }>`
    SELECT sequencename AS name, last_value::text AS last, last_value IS NOT NULL AS called FROM pg_sequences WHERE schemaname = current_schema()`.execute(trx);
  const sequences: Record<string, { last: string; called: boolean }> = {};
  for (const s of seqs.rows) if (s.last !== null) sequences[s.name] = { last: s.last, called: s.called };
  const migrations = await sql<{ name: string }>`SELECT name FROM schema_migrations ORDER BY name`.execute(trx);
  return { migrations: migrations.rows.map((m) => m.name), tables, sequences };
}

/** PostgreSQL takes at most 65,535 parameters per statement. */
const MAX_PARAMS = 30_000;

async function loadIn(trx: Transaction<Database>, dump: TableDump): Promise<void> {
  const columns = await columnsOf(trx);
  for (const table of Object.keys(dump.tables)) {
    if (!columns.has(table)) throw new DirectoryError('invalid', `the backup has a table "${table}" this version of pgdir does not know`);
  }
  const order = await insertOrder(trx, [...columns.keys()]);
  // Children first when emptying, parents first when filling.
  for (const table of [...order].reverse()) await sql`DELETE FROM ${sql.table(table)}`.execute(trx);
  for (const table of order) {
    const data = dump.tables[table];
    if (data === undefined || data.rows.length === 0) continue;
    const known = new Map((columns.get(table) ?? []).map((c) => [c.name, c]));
    const cols = data.columns.map((name) => {
      const c = known.get(name);
      if (c === undefined) throw new DirectoryError('invalid', `the backup's table "${table}" has a column "${name}" this version of pgdir does not know`);
      return c;
    });
    const per = Math.max(1, Math.floor(MAX_PARAMS / cols.length));
    for (let at = 0; at < data.rows.length; at += per) {
      const values = data.rows.slice(at, at + per).map((row) => sql`(${sql.join(cols.map((c, i) => cast(decode(row[i] ?? null, c.udt), c.udt)))})`);
      await sql`INSERT INTO ${sql.table(table)} (${sql.join(cols.map((c) => sql.ref(c.name)))}) VALUES ${sql.join(values)}`.execute(trx);
    }
  }
  for (const [name, s] of Object.entries(dump.sequences)) {
    await sql`SELECT setval(${name}::regclass, ${s.last}::bigint, ${s.called})`.execute(trx);
  }
}

/** Typed parameters where PostgreSQL cannot infer the type from a VALUES list. */
function cast(value: unknown, udt: string) {
  if (udt === 'json' || udt === 'jsonb') return sql`${value}::jsonb`;
  if (udt.startsWith('_')) return sql`${value}::${sql.raw(`${udt.slice(1)}[]`)}`;
  return sql`${value}::${sql.raw(udt)}`;
}
