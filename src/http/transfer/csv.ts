import { invalid } from '../../domain/errors.js';

/**
 * RFC 4180 CSV. Reading accepts CRLF or LF line ends, a leading UTF-8 BOM, quoted fields with
 * embedded commas, quotes ("") and line breaks, and a missing final line break. Writing quotes a
 * field only when it needs it and ends every record with CRLF (RFC 4180 §2.1, §2.6, §2.7).
 */
export interface CsvRecord {
  readonly fields: string[];
  /** Line of the file where the record starts (1-based), for error messages. */
  readonly line: number;
}

export function parseCsv(text: string): CsvRecord[] {
  const input = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const endField = () => {
    fields.push(field);
    field = '';
  };
  const endRecord = () => {
    endField();
    // A line with nothing on it is not a record (trailing blank lines are common).
    if (!(fields.length === 1 && fields[0] === '')) records.push({ fields, line: recordLine });
    fields = [];
    recordLine = line;
  };
  while (i < input.length) {
    const c = input[i] as string;
    if (quoted) {
      if (c === '"' && input[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
      i++;
      continue;
    }
    if (c === '"') {
      if (field !== '') throw invalid(`line ${line}: a quote may only start a field (write "" inside a quoted field)`, 'file');
      quoted = true;
    } else if (c === ',') endField();
    else if (c === '\r' && input[i + 1] === '\n') {
      line++;
      i++;
      endRecord();
    } else if (c === '\n') {
      line++;
      endRecord();
    } else field += c;
    i++;
  }
  if (quoted) throw invalid(`line ${recordLine}: a quoted field is not closed`, 'file');
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}

const needsQuotes = /[",\r\n]/;

export function formatCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((row) => row.map((f) => (needsQuotes.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',') + '\r\n').join('');
}
