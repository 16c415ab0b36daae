import { readFile, stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { MAX_IMPORT_BYTES } from '../control/protocol.js';
import type { ImportReport } from '../directory/transfer/user-import.js';
import { EXIT_FAILURE, type CliIo } from './cli-io.js';
import { str, type ManagementCommand, type OptionValues } from './management-command.js';
import { readAll } from './read-password.js';
import { UsageError } from './usage-error.js';

/**
 * `pgdir users export` and `pgdir users import`: the requests run the same code as the HTTP routes
 * (src/directory/transfer), in the daemon or locally like every management command. The CLI
 * reads the file itself, so the daemon never needs to see the caller's files (systemd's
 * PrivateTmp, containers).
 */

type Format = 'csv' | 'json';

function formatOption(values: OptionValues, command: string): Format | undefined {
  const format = str(values.format);
  if (format === undefined || format === 'csv' || format === 'json') return format;
  throw new UsageError(`--format must be csv or json (got ${JSON.stringify(format)})`, command);
}

/** --format, else the file's extension, else a look at the content: JSON imports are arrays. */
function importFormat(values: OptionValues, file: string, text: string): Format {
  const given = formatOption(values, 'users import');
  if (given !== undefined) return given;
  const ext = extname(file).toLowerCase();
  if (ext === '.csv' || ext === '.json') return ext === '.csv' ? 'csv' : 'json';
  return text.replace(/^\uFEFF/, '').trimStart().startsWith('[') ? 'json' : 'csv';
}

/** Strict, like the HTTP import: a Latin-1 file must not turn names into U+FFFD silently. */
function utf8(bytes: Buffer, what: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError(`${what} is not valid UTF-8; save it as UTF-8 and try again`, 'users import');
  }
}

async function readImport(file: string, io: CliIo): Promise<string> {
  if (file === '-') return utf8(await readAll(io, MAX_IMPORT_BYTES, `standard input is larger than ${MAX_IMPORT_BYTES} bytes`, 'users import'), 'standard input');
  const path = resolve(io.cwd, file);
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new UsageError(`${file} is not a file`, 'users import');
    if (info.size > MAX_IMPORT_BYTES) throw new UsageError(`${file} is larger than ${MAX_IMPORT_BYTES} bytes; split it`, 'users import');
    return utf8(await readFile(path), file);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `${file} does not exist` : `cannot read ${file} (${code ?? (err as Error).message})`, 'users import');
  }
}

const exportCommand: ManagementCommand = {
  name: 'users export',
  request: 'users.export',
  summary: 'print every user as CSV or JSON',
  usage: [
    'users export [--format csv|json] > users.csv',
    '',
    '  --format F   csv (default: header row, RFC 4180) or json (array of camelCase objects)',
    '',
    'Fields: id, username, email, fallback email, full name, role, active; never passwords.',
    'CSV values that a spreadsheet would run as a formula (starting with = + - @) get a',
    "leading ' (users import removes it again).",
  ].join('\n'),
  options: { format: { type: 'string' } },
  positionals: [],
  fieldFlags: { format: '--format' },
  toArgs: async (values) => ({ format: formatOption(values, 'users export') ?? 'csv' }),
  render(result, _values, io) {
    io.stdout.write((result as { text: string }).text);
  },
};

const importCommand: ManagementCommand = {
  name: 'users import',
  request: 'users.import',
  progress: true,
  summary: 'create users from a CSV or JSON file (e.g. an export)',
  usage: [
    'users import FILE [--mode atomic|partial] [--format csv|json] [--progress auto|bar|lines|none]',
    '',
    '  FILE         CSV with a header row (columns from: id, username, email, fallback email,',
    '               full name, role, active; username and email required) or a JSON array;',
    '               "-" reads standard input',
    '  --mode M     atomic (default): nothing is written if any row is invalid;',
    '               partial: the valid rows are written',
    '  --format F   csv or json (default: from the file name, else from the content)',
    '  --progress P auto (default): a bar on a terminal, else a plain line every 5 s once the',
    '               import has run 2 s; lines: start and end of each phase, at most one a',
    '               second between; bar; none. On standard error: stdout has only the report.',
    '',
    'Prints the report {"created": N, "errors": [{"row", "field", "message"}]} as JSON and',
    'exits 1 when it lists errors. Imported users have no password: send them invites.',
  ].join('\n'),
  options: { mode: { type: 'string' }, format: { type: 'string' } },
  positionals: ['FILE'],
  fieldFlags: { mode: '--mode', format: '--format', file: 'FILE' },
  async toArgs(values, [file], io) {
    const mode = str(values.mode) ?? 'atomic';
    if (mode !== 'atomic' && mode !== 'partial') throw new UsageError(`--mode must be atomic or partial (got ${JSON.stringify(mode)})`, 'users import');
    const text = await readImport(file as string, io);
    return { mode, format: importFormat(values, file as string, text), text };
  },
  render(result, values, io) {
    const report = result as ImportReport;
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    if (report.errors.length === 0) return undefined;
    const outcome = str(values.mode) === 'partial' ? `${report.created} user(s) created, the rest skipped` : 'nothing was imported';
    io.stderr.write(`pgdir: ${report.errors.length} problem(s) found; ${outcome}\n`);
    return EXIT_FAILURE;
  },
};

export const TRANSFER_COMMANDS: readonly ManagementCommand[] = [importCommand, exportCommand];
