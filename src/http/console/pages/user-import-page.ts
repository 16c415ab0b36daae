import type { IncomingMessage } from 'node:http';
import { escapeHtml } from '../../../domain/escape-html.js';
import { readImportFileYielding } from '../../../directory/transfer/import-rows.js';
import { importUsers } from '../../../directory/transfer/user-import.js';
import type { Caller, RawBody, Reply } from '../../route.js';
import type { ConsoleContext } from '../console-feature.js';
import { button, checkbox, formOf, select } from '../console-forms.js';
import { alert, csrfField, seeOther } from '../console-layout.js';
import { t } from '../messages.js';
import { parseMultipart, type UploadedFile } from '../multipart-form.js';
import { attempt, refuseUnlessMay } from './page-kit.js';
import { importJobPath, type ImportJobs } from './user-import-progress.js';

/** Room in an upload for the form's other fields and the multipart framing around the file. */
const FORM_OVERHEAD = 64 * 1024;

/**
 * The largest body the import route reads: twice the file limit, so that a file somewhat over the
 * limit is still read whole and answered with the form and a clear message (a body over this is
 * refused with 413 before it is read, and the browser may only show a dropped connection).
 */
export const importBodyLimit = (maxImportBytes: number): number => 2 * maxImportBytes + FORM_OVERHEAD;

const megabytes = (bytes: number): string =>
  bytes < 1024 * 1024 ? `${Math.floor(bytes / 1024)} KB` : `${Number((bytes / (1024 * 1024)).toFixed(1))} MB`;

export function importForm(console: ConsoleContext, caller: Caller, values: Record<string, string> = {}, result = '', status = 200): Reply {
  refuseUnlessMay(caller.actor, 'users.import');
  // A file needs no JavaScript: a multipart form (RFC 7578) posted like any other.
  const body = `${result}<p>${t('importFile.intro', { limit: megabytes(console.api.maxImportBytes) })}</p>
<form method="post" action="/users/import" enctype="multipart/form-data">${csrfField(caller)}
<label for="f-file">${t('importFile.file')}</label><input id="f-file" name="file" type="file" accept=".csv,.json,text/csv,application/json">
<label for="f-data">${t('import.data')}</label><p class="muted" id="f-data-hint">${t('importFile.paste')}</p>
<textarea id="f-data" name="data" spellcheck="false" aria-describedby="f-data-hint">${escapeHtml(values['data'] ?? '')}</textarea>
${select('format', t('import.format'), [['csv', 'CSV'], ['json', 'JSON']], values['format'] ?? 'csv')}
<p class="muted">${t('importFile.formatHint')}</p>
${checkbox('partial', t('import.partial'), values['partial'] === '1')}
${button(t('import.submit'))}
</form><p><a href="/users">${t('users.back')}</a></p>`;
  return console.render(caller, { title: t('import.title'), body, status, section: '/users' });
}

const isJsonFile = (file: UploadedFile): boolean => file.filename.toLowerCase().endsWith('.json') || file.contentType === 'application/json';

/** The text to import and its media type: the chosen file (by its name), else the pasted text. */
function importSource(fields: Record<string, string>, file: UploadedFile | undefined): { text: string; contentType: string; fromFile: boolean } {
  // Browsers send an empty part with an empty filename when no file was chosen.
  if (file !== undefined && file.filename !== '') return { text: file.text, contentType: isJsonFile(file) ? 'application/json' : 'text/csv', fromFile: true };
  return { text: fields['data'] ?? '', contentType: fields['format'] === 'json' ? 'application/json' : 'text/csv', fromFile: false };
}

/**
 * POST /users/import (a file, or pasted CSV or JSON): the whole file is read and checked first
 * (a file-level problem answers with the form), then the import runs as a job with the API's use
 * case (all-or-nothing unless "partial") and the browser is sent to its progress page.
 */
export async function startImport(console: ConsoleContext, jobs: ImportJobs, caller: Caller, req: IncomingMessage, raw: RawBody): Promise<Reply> {
  refuseUnlessMay(caller.actor, 'users.import');
  const form = raw.contentType === 'multipart/form-data' ? parseMultipart(raw.text, req.headers['content-type']) : { fields: formOf(raw.text), files: {} };
  const source = importSource(form.fields, form.files['file']);
  // The pasted text is kept in the form for fixing; a file is chosen again.
  const values = source.fromFile ? { ...form.fields, data: '' } : form.fields;
  const limit = console.api.maxImportBytes;
  if (Buffer.byteLength(source.text) > limit) return importForm(console, caller, values, alert('error', t('importFile.tooLarge', { limit: megabytes(limit) })), 413);
  if (source.text.trim() === '') return importForm(console, caller, values, alert('error', t('importFile.empty')), 400);
  const records = await attempt(() => readImportFileYielding(source.contentType, source.text));
  if (!records.ok) return importForm(console, caller, values, alert('error', records.error.message), records.error.status);
  const atomic = form.fields['partial'] !== '1';
  const { store } = console.api.directory;
  const job = jobs.start(caller, req, atomic, (onProgress) => importUsers(store, caller.actor, records.value, atomic ? 'atomic' : 'partial', { onProgress }));
  return seeOther(importJobPath(job.id));
}
