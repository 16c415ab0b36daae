import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { conflict, DirectoryError, invalid } from '../../domain/errors.js';
import { MIGRATIONS } from '../../store/migrations.js';
import type { Store } from '../../store/store.js';
import type { TableDump } from '../../store/table-transfer.js';

/**
 * A pgdir backup: every table of the store as it is (ids, uid/gid numbers, password hashes, sealed
 * 2FA and SMTP secrets, timestamps, the change and audit logs), plus the data-directory files the
 * sealed values need: `totp.key` (the sealing key) and `admin-secret` (the generated admin
 * secret). The file therefore is as secret as the database itself: written 0600.
 */
export const BACKUP_FORMAT = 'pgdir-backup';
export const BACKUP_VERSION = 1;
/** Data-directory files that travel with the rows (sealing key, generated admin secret). */
const DATA_FILES = ['totp.key', 'admin-secret'] as const;

export interface BackupFile extends TableDump {
  readonly format: typeof BACKUP_FORMAT;
  readonly version: typeof BACKUP_VERSION;
  readonly createdAt: string;
  readonly source: { readonly mode: Store['mode'] };
  /** base64 contents of DATA_FILES present in the data directory. */
  readonly files: Readonly<Record<string, string>>;
}

export interface BackupSummary {
  readonly file: string;
  readonly bytes: number;
  readonly rows: Readonly<Record<string, number>>;
}

export async function createBackup(store: Store, dataDir: string): Promise<BackupFile> {
  const dump = await store.tables.dump();
  const files: Record<string, string> = {};
  for (const name of DATA_FILES) {
    const content = await readFile(join(dataDir, name)).catch(() => undefined);
    if (content !== undefined) files[name] = content.toString('base64');
  }
  return { format: BACKUP_FORMAT, version: BACKUP_VERSION, createdAt: new Date().toISOString(), source: { mode: store.mode }, ...dump, files };
}

/** Writes next to the target and renames, so a crash never leaves half a backup under the name. */
export async function writeBackup(file: string, backup: BackupFile): Promise<BackupSummary> {
  const text = `${JSON.stringify(backup)}\n`;
  await mkdir(dirname(file), { recursive: true });
  const partial = `${file}.partial-${process.pid}`;
  await writeFile(partial, text, { mode: 0o600 });
  await chmod(partial, 0o600);
  await rename(partial, file);
  return { file, bytes: Buffer.byteLength(text), rows: rowCounts(backup) };
}

export const rowCounts = (dump: TableDump): Record<string, number> =>
  Object.fromEntries(Object.entries(dump.tables).map(([name, t]) => [name, t.rows.length]));

export async function readBackup(file: string): Promise<BackupFile> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new DirectoryError('not_found', `cannot read the backup ${file}: ${error.code ?? error.message}`);
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid(`${file} is not a pgdir backup (not JSON)`, 'file');
  }
  const b = parsed as Partial<BackupFile>;
  if (b.format !== BACKUP_FORMAT) throw invalid(`${file} is not a pgdir backup (format ${JSON.stringify(b.format)})`, 'file');
  if (b.version !== BACKUP_VERSION) throw invalid(`${file} is backup format version ${String(b.version)}; this pgdir reads version ${BACKUP_VERSION}`, 'file');
  if (typeof b.tables !== 'object' || b.tables === null || !Array.isArray(b.migrations)) throw invalid(`${file} is damaged: tables or migrations missing`, 'file');
  return b as BackupFile;
}

/**
 * Loads a backup (or another store's dump) into `store`, all or nothing. Refuses a store that
 * already holds users, groups or service accounts unless `force` (which replaces them), and a
 * backup from a newer pgdir (a migration this version does not know).
 */
export async function restoreInto(store: Store, dump: TableDump, options: { force?: boolean } = {}): Promise<Record<string, number>> {
  const known = new Set(MIGRATIONS.map((m) => m.name));
  const unknown = dump.migrations.filter((name) => !known.has(name));
  if (unknown.length > 0) throw invalid(`the backup comes from a newer pgdir (migrations ${unknown.join(', ')}); upgrade pgdir first`, 'file');
  if (options.force !== true && !(await store.tables.isEmpty())) {
    throw conflict('the target store already holds users, groups or service accounts; restore into an empty one, or pass --force to replace everything');
  }
  await store.tables.load(dump);
  return rowCounts(dump);
}

export async function restoreFiles(backup: BackupFile, dataDir: string): Promise<string[]> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const written: string[] = [];
  for (const [name, content] of Object.entries(backup.files ?? {})) {
    if (!(DATA_FILES as readonly string[]).includes(name)) continue;
    const path = join(dataDir, name);
    await writeFile(path, Buffer.from(content, 'base64'), { mode: 0o600 });
    await chmod(path, 0o600);
    written.push(path);
  }
  return written;
}
