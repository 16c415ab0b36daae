import { invalid } from '../../domain/errors.js';
import { yieldToEventLoop } from '../../domain/progress.js';

/**
 * RFC 4180 CSV. Reading accepts CRLF or LF line ends, a leading UTF-8 BOM, quoted fields with
 * embedded commas, quotes ("") and line breaks, and a missing final line break. Writing quotes a
 * field only when it needs it and ends every record with CRLF (RFC 4180 §2.1, §2.6, §2.7).
 */
export interface CsvRecord {
  readonly fields: string[];
  /** Line of the file where the record starts (1-based), for error messages. */
  readonly line: number;
  /**
   * A malformed field (0-based `field`): the record is reported on its own while the rest of the
   * file is still read, since the next separator makes it clear where the next field starts.
   */
  readonly error?: { readonly field: number; readonly message: string };
}

type State = 'unquoted' | 'quoted' | 'closed' | 'junk';

/** The parser's state between characters; `feed` consumes one or two characters. */
class CsvReader {
  readonly records: CsvRecord[] = [];
  state: State = 'unquoted';
  private fields: string[] = [];
  private field = '';
  private error: CsvRecord['error'];
  line = 1;
  private recordLine = 1;

  /** Returns how many characters were used. */
  feed(c: string, next: string | undefined): number {
    if (this.state === 'quoted') {
      if (c === '"' && next === '"') {
        this.field += '"';
        return 2;
      }
      if (c === '"') this.state = 'closed';
      else {
        if (c === '\n') this.line++;
        this.field += c;
      }
      return 1;
    }
    if (c === ',') this.endField();
    else if (c === '\n' || (c === '\r' && next === '\n')) {
      this.line++;
      this.endRecord();
      return c === '\r' ? 2 : 1;
    } else if (this.state === 'closed' || this.state === 'junk') this.afterClosingQuote();
    else if (c === '"') {
      if (this.field !== '') throw invalid(`line ${this.line}: a quote may only start a field (write "" inside a quoted field)`, 'file');
      this.state = 'quoted';
    } else this.field += c;
    return 1;
  }

  /** RFC 4180 §2.5-2.7: a quoted field ends at its closing quote; `"abc"x` is not a field. */
  private afterClosingQuote(): void {
    if (this.state === 'closed') {
      const message = `line ${this.line}: text after the closing quote of field ${this.fields.length + 1} (a quoted field must end at a comma or the end of the line)`;
      this.error ??= { field: this.fields.length, message };
      this.state = 'junk';
    }
  }

  private endField(): void {
    this.fields.push(this.field);
    this.field = '';
    this.state = 'unquoted';
  }

  endRecord(): void {
    this.endField();
    // A line with nothing on it is not a record (trailing blank lines are common).
    if (!(this.fields.length === 1 && this.fields[0] === '')) {
      this.records.push({ fields: this.fields, line: this.recordLine, ...(this.error === undefined ? {} : { error: this.error }) });
    }
    this.fields = [];
    this.error = undefined;
    this.recordLine = this.line;
  }

  get pending(): boolean {
    return this.field !== '' || this.fields.length > 0 || this.state !== 'unquoted';
  }

  get startLine(): number {
    return this.recordLine;
  }
}

export function parseCsv(text: string): CsvRecord[] {
  const input = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const reader = new CsvReader();
  for (let i = 0; i < input.length; ) i += reader.feed(input[i] as string, input[i + 1]);
  return finish(reader);
}

/** Characters parsed between two yields to the event loop (~5 ms). */
const CHUNK = 128 * 1024;

/** parseCsv in slices, letting LDAP and HTTP run between them (a 16 MiB import takes a while). */
export async function parseCsvYielding(text: string): Promise<CsvRecord[]> {
  const input = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const reader = new CsvReader();
  for (let i = 0, next = CHUNK; i < input.length; ) {
    i += reader.feed(input[i] as string, input[i + 1]);
    if (i >= next) {
      next = i + CHUNK;
      await yieldToEventLoop();
    }
  }
  return finish(reader);
}

function finish(reader: CsvReader): CsvRecord[] {
  if (reader.state === 'quoted') throw invalid(`line ${reader.startLine}: a quoted field is not closed`, 'file');
  if (reader.pending) reader.endRecord();
  return reader.records;
}

const needsQuotes = /[",\r\n]/;

export function formatCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((row) => row.map((f) => (needsQuotes.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',') + '\r\n').join('');
}

/*
 * CSV injection (OWASP "CSV Injection"): a spreadsheet opening the export would run a cell that
 * starts with =, +, -, @, tab or carriage return as a formula. Such values get a leading single
 * quote, which spreadsheets show as text. Values that already start with quotes before such a
 * character get one more, so that the import can undo exactly one and every value round-trips.
 */
const FORMULA = /^'*[=+\-@\t\r]/;
const NEUTRALISED = /^'+[=+\-@\t\r]/;

/** For the export: `=HYPERLINK(…)` → `'=HYPERLINK(…)`. */
export const neutraliseFormula = (value: string): string => (FORMULA.test(value) ? `'${value}` : value);

/** For the import of an export: `'=HYPERLINK(…)` → `=HYPERLINK(…)`; anything else unchanged. */
export const restoreFormula = (value: string): string => (NEUTRALISED.test(value) ? value.slice(1) : value);
