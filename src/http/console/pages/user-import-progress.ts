import type { IncomingMessage } from 'node:http';
import { escapeHtml } from '../../../domain/escape-html.js';
import { DirectoryError } from '../../../domain/errors.js';
import type { ProgressListener } from '../../../domain/progress.js';
import type { ImportReport } from '../../../directory/transfer/user-import.js';
import { hashBearerToken } from '../../auth/bearer-token.js';
import { sessionTokenOf } from '../../auth/session-cookie.js';
import { JobRegistry, type JobView } from '../../job-registry.js';
import type { Caller, Reply } from '../../route.js';
import type { ConsoleContext } from '../console-feature.js';
import { alert } from '../console-layout.js';
import { t, type MessageKey } from '../messages.js';

/**
 * The console's users imports run as jobs (job-registry.ts, like the API's `?async=1`): the form
 * post answers at once with a redirect to the job's page, which shows the progress (htmx asks for
 * it every second; without JavaScript, the Refresh link) and, at the end, the per-row report.
 *
 * Why the page is read without the usual authentication while the job runs: that reads the
 * session from the database, and on the embedded store the database is busy with the very import
 * being watched, so the page would only answer once it is over. The job belongs to the browser
 * session that started it (the SHA-256 of its cookie's token, checked in memory), and the page is
 * drawn for the caller who started it; once the job has ended, the session is checked as usual.
 */
interface Watch {
  readonly caller: Caller;
  readonly atomic: boolean;
  readonly startedAt: number;
}

export const importJobPath = (id: string): string => `/users-import/${id}`;

const ownerKey = (req: IncomingMessage): string | undefined => {
  const token = sessionTokenOf(req);
  return token === undefined ? undefined : hashBearerToken(token);
};

/** The registry forgets a job an hour after it ended; its watch goes after two hours at the latest. */
const KEEP_WATCH_MS = 2 * 60 * 60_000;

export class ImportJobs {
  readonly #jobs = new JobRegistry();
  readonly #watches = new Map<string, Watch>();

  start(caller: Caller, req: IncomingMessage, atomic: boolean, work: (onProgress: ProgressListener) => Promise<ImportReport>): JobView {
    const now = Date.now();
    for (const [id, watch] of this.#watches) if (now - watch.startedAt > KEEP_WATCH_MS) this.#watches.delete(id);
    const job = this.#jobs.start('users.import', ownerKey(req) ?? '', async (onProgress) => ({ result: await work(onProgress) }));
    this.#watches.set(job.id, { caller, atomic, startedAt: now });
    return job;
  }

  /** The job and how it was started, for the session that started it only (anyone else: absent). */
  get(id: string, req: IncomingMessage): (Watch & { readonly job: JobView }) | undefined {
    const key = ownerKey(req);
    if (key === undefined) throw new DirectoryError('unauthenticated', 'sign in first');
    const job = this.#jobs.get(id, key);
    const watch = this.#watches.get(id);
    return job === undefined || watch === undefined ? undefined : { ...watch, job };
  }
}

/** The per-row report: created count, or (atomic) "nothing was imported", then each refused row. */
export function importReport(result: ImportReport, atomic: boolean): string {
  const failed = atomic && result.errors.length > 0;
  const summary = failed ? alert('error', t('import.nothing', { count: result.errors.length })) : alert('ok', t('import.created', { count: result.created }));
  if (result.errors.length === 0) return summary;
  const rows = result.errors.map((e) => `<tr><td>${e.row}</td><td>${escapeHtml(e.field)}</td><td>${escapeHtml(e.message)}</td></tr>`).join('');
  return `${summary}<h2>${t('import.problems')}</h2><div class="table-wrap"><table><thead><tr><th scope="col">${t('import.row')}</th><th scope="col">${t('import.field')}</th><th scope="col">${t('import.message')}</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

const phaseLabel = (phase: string): string =>
  ['validating', 'checking', 'writing'].includes(phase) ? t(`importFile.phase.${phase}` as MessageKey) : phase;

/** A running import's progress (htmx replaces it every second), or the report once it ended. */
export function importProgress(job: JobView, atomic: boolean): string {
  const self = escapeHtml(importJobPath(job.id));
  if (job.state === 'running') {
    const p = job.progress;
    const value = p === null || p.total === 0 ? '' : ` value="${p.done}" max="${p.total}"`;
    const text = p === null ? t('importFile.starting') : t('importFile.progress', { phase: phaseLabel(p.phase), done: p.done, total: p.total });
    return `<div id="import-progress" hx-get="${self}" hx-trigger="every 1s" hx-swap="outerHTML" aria-live="polite">
<p role="status">${escapeHtml(text)}</p><progress${value} aria-label="${escapeHtml(t('importFile.progressLabel'))}"></progress>
<p class="muted">${t('importFile.refreshHint')}</p><p><a class="button secondary" href="${self}">${t('importFile.refresh')}</a></p></div>`;
  }
  const report = job.result as ImportReport | null;
  const body = report === null ? alert('error', t('importFile.failed', { error: job.error?.message ?? '' })) : importReport(report, atomic);
  return `<div id="import-progress">${body}<p class="actions"><a href="/users/import">${t('importFile.again')}</a><a href="/users">${t('users.back')}</a></p></div>`;
}

/** GET /users-import/:job — the whole page, or (htmx) the progress fragment alone. */
export async function importJobPage(console: ConsoleContext, jobs: ImportJobs, req: IncomingMessage, id: string): Promise<Reply> {
  const found = jobs.get(id, req);
  if (found === undefined) throw new DirectoryError('not_found', t('importFile.noJob'));
  const fragment = importProgress(found.job, found.atomic);
  if (req.headers['hx-request'] === 'true') return { text: fragment, contentType: 'text/html; charset=utf-8', headers: { 'cache-control': 'no-store' } };
  const caller = found.job.state === 'running' ? found.caller : await console.optionalCaller(req);
  if (caller === undefined) throw new DirectoryError('unauthenticated', 'sign in first');
  const report = found.job.result as ImportReport | null;
  // As the pasted import answered before it became a job: 400 when an all-or-nothing import refused.
  const refused = found.job.state !== 'running' && (report === null || (found.atomic && report.errors.length > 0));
  return console.render(caller, { title: t('importFile.title'), body: fragment, section: '/users', status: refused ? 400 : 200 });
}
