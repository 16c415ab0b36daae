import { escapeHtml } from '../../../domain/escape-html.js';
import type { ApiContext } from '../../api-context.js';
import type { JobView } from '../../job-registry.js';
import { alert } from '../console-layout.js';
import { t } from '../messages.js';
import { facts, when } from './admin-kit.js';

type Connector = NonNullable<ApiContext['connector']>;
export type TestResult = Awaited<ReturnType<Connector['testConnection']>>;
export type SyncReport = NonNullable<Awaited<ReturnType<Connector['status']>>['lastReport']>;

/** What "Test connection" found: the counts and the first users as pgdir would mirror them. */
export function testResult(result: TestResult): string {
  if (!result.ok) return alert('error', t('ext.testFailed', { error: result.error ?? '' }));
  const rows = result.sample
    .map((u) => `<tr><td>${escapeHtml(u.username ?? '—')}</td><td>${escapeHtml(u.email ?? '—')}</td><td>${escapeHtml(u.displayName)}</td><td>${escapeHtml(u.problem ?? '')}</td></tr>`)
    .join('');
  return `${alert('ok', t('ext.testOk', { users: result.users, groups: result.groups ?? '—', ms: result.durationMs }))}
<div class="table-wrap"><table><caption>${t('ext.sample')}</caption><thead><tr><th scope="col">${t('ext.username')}</th><th scope="col">${t('ext.email')}</th><th scope="col">${t('ext.displayName')}</th><th scope="col">${t('ext.problem')}</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

const counts = (c: object): string =>
  Object.entries(c).map(([k, v]) => `${escapeHtml(k)} ${escapeHtml(String(v))}`).join(', ');

/** A sync report: status, counts per kind and the entries that changed, conflicted or failed. */
export function reportBody(report: SyncReport): string {
  const status = report.status === 'ok' ? alert('ok', t('ext.reportOk')) : alert('error', report.status === 'busy' ? t('ext.reportBusy') : t('ext.reportFailed', { error: report.error ?? '' }));
  const entries = report.entries.slice(0, 200).map((e) => `<tr><td>${escapeHtml(e.kind)}</td><td>${escapeHtml(e.name ?? e.dn)}</td><td>${escapeHtml(e.action)}</td><td>${escapeHtml(e.reason ?? (e.changes ?? []).join(', '))}</td></tr>`).join('');
  return `${status}${facts([
    [t('ext.reportWhen'), escapeHtml(`${when(report.startedAt)} (${report.trigger}${report.dryRun ? ', dry run' : ''})`)],
    [t('ext.reportDuration'), escapeHtml(`${report.durationMs} ms`)],
    [t('ext.reportSource'), escapeHtml(t('ext.reportSourceCounts', { users: report.source.users, groups: report.source.groups }))],
    [t('ext.reportUsers'), counts(report.users)],
    [t('ext.reportGroups'), counts(report.groups)],
  ])}${entries === '' ? '' : `<div class="table-wrap"><table><caption>${t('ext.reportEntries')}</caption><thead><tr><th scope="col">${t('ext.kind')}</th><th scope="col">${t('common.name')}</th><th scope="col">${t('ext.action')}</th><th scope="col">${t('ext.why')}</th></tr></thead><tbody>${entries}</tbody></table></div>`}`;
}

export function reportSection(report: SyncReport | undefined, running: boolean): string {
  return `<h2>${t('ext.lastReport')}</h2>${running ? `<p>${t('ext.running')}</p>` : ''}${report === undefined ? `<p class="muted">${t('ext.noReport')}</p>` : reportBody(report)}`;
}

/**
 * A running sync's progress; htmx replaces it every second (hx-trigger "every 1s") until the job
 * ends, then the report shows. Without JavaScript the reload link does the same.
 */
export function syncProgress(job: JobView, self: string): string {
  if (job.state === 'running') {
    const p = job.progress;
    const value = p === null || p.total === 0 ? '' : ` value="${p.done}" max="${p.total}"`;
    const text = p === null ? t('ext.starting') : t('ext.progress', { phase: p.phase, done: p.done, total: p.total });
    return `<div id="sync-progress" hx-get="${escapeHtml(self)}" hx-trigger="every 1s" hx-swap="outerHTML" aria-live="polite">
<p role="status">${escapeHtml(text)}</p><progress${value} aria-label="${escapeHtml(t('ext.progressLabel'))}"></progress>
<p><a href="${escapeHtml(self)}">${t('ext.reload')}</a></p></div>`;
  }
  const report = job.result as SyncReport | null;
  const failure = job.error === null ? '' : alert('error', job.error.message);
  return `<div id="sync-progress">${report === null ? failure : reportBody(report)}</div>`;
}
