import { invalid } from '../../domain/errors.js';
import { parseCsv, parseCsvYielding, restoreFormula, type CsvRecord } from './csv.js';
import { EXPORT_COLUMNS, JSON_KEYS, type ExportColumn } from './user-columns.js';

/**
 * Turns an import file into records keyed like the JSON export (camelCase). CSV needs a header
 * naming export columns (any order; `username` and `email` required; `id` and `active` optional so
 * that an export can be imported back). Problems with the whole file are a 400; problems with one
 * record are reported for that record (`row` 1 is the first record after the header).
 */
export interface ImportRecord {
  readonly row: number;
  readonly values: Readonly<Record<string, unknown>>;
}
export interface ImportError {
  readonly row: number;
  readonly field: string;
  readonly message: string;
}
export type ReadRecord = ImportRecord | { readonly row: number; readonly error: ImportError };

const REQUIRED: readonly ExportColumn[] = ['username', 'email'];
const JSON_FIELDS = new Set(Object.values(JSON_KEYS));
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function readImportFile(contentType: string, text: string): ReadRecord[] {
  return contentType === 'text/csv' ? readCsv(parseCsv(text)) : readJson(text);
}

/** The same, parsing a large CSV in slices (csv.ts) so that the daemon keeps answering meanwhile. */
export async function readImportFileYielding(contentType: string, text: string): Promise<ReadRecord[]> {
  return contentType === 'text/csv' ? readCsv(await parseCsvYielding(text)) : readJson(text);
}

function readHeader(fields: readonly string[]): ExportColumn[] {
  const header = fields.map((f) => f.trim().toLowerCase());
  const expected = `expected columns from: ${EXPORT_COLUMNS.join(',')}`;
  const unknown = header.find((h) => !(EXPORT_COLUMNS as readonly string[]).includes(h));
  if (unknown !== undefined) throw invalid(`the header has an unknown column "${unknown}"; ${expected}`, 'header');
  const twice = header.find((h, i) => header.indexOf(h) !== i);
  if (twice !== undefined) throw invalid(`the header names the column "${twice}" twice`, 'header');
  const missing = REQUIRED.find((r) => !header.includes(r));
  if (missing !== undefined) throw invalid(`the header has no "${missing}" column; ${expected}`, 'header');
  return header as ExportColumn[];
}

function csvActive(value: string): boolean | string {
  const v = value.trim().toLowerCase();
  if (v === '' || v === 'true') return true;
  if (v === 'false') return false;
  return value; // left for validation to refuse with the row number
}

function readCsv(parsed: CsvRecord[]): ReadRecord[] {
  const [head, ...records] = parsed;
  if (head === undefined) throw invalid('the file is empty; it needs a header row', 'file');
  if (head.error !== undefined) throw invalid(`the header is malformed: ${head.error.message}`, 'header');
  const header = readHeader(head.fields);
  return records.map((record, i) => {
    const row = i + 1;
    if (record.error !== undefined) {
      const column = header[record.error.field];
      return { row, error: { row, field: column === undefined ? 'file' : JSON_KEYS[column], message: record.error.message } };
    }
    if (record.fields.length !== header.length) {
      const message = `line ${record.line} has ${record.fields.length} fields but the header has ${header.length}`;
      return { row, error: { row, field: 'file', message } };
    }
    const values: Record<string, unknown> = {};
    header.forEach((column, c) => {
      // Undoes the export's formula neutralisation (csv.ts), so that an export imports back as it was.
      const value = restoreFormula(record.fields[c] ?? '');
      values[JSON_KEYS[column]] = column === 'active' ? csvActive(value) : value;
    });
    return { row, values };
  });
}

function readJson(text: string): ReadRecord[] {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw invalid(`the file is not valid JSON: ${(error as Error).message}`, 'file');
  }
  if (!Array.isArray(data)) throw invalid('a JSON import is an array of user objects', 'file');
  return data.map((item: unknown, i) => {
    const row = i + 1;
    if (!isRecord(item)) return { row, error: { row, field: 'file', message: 'each entry must be an object' } };
    const unknown = Object.keys(item).find((k) => !JSON_FIELDS.has(k));
    if (unknown !== undefined) {
      return { row, error: { row, field: unknown, message: `unknown field "${unknown}"; fields are ${[...JSON_FIELDS].join(', ')}` } };
    }
    return { row, values: item };
  });
}
