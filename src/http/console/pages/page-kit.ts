import type { Actor } from '../../../domain/actor.js';
import { DirectoryError } from '../../../domain/errors.js';
import { ROLES, type Role } from '../../../domain/model.js';
import { may, type Action } from '../../../domain/permissions.js';
import { t, type MessageKey } from '../messages.js';

/** A use case's refusal as a value, so a page can show it next to the form (5xx still throw). */
export async function attempt<T>(run: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: DirectoryError }> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    if (error instanceof DirectoryError && error.status < 500) return { ok: false, error };
    throw error;
  }
}

/**
 * A page that only offers a change (a "new" form) refuses up front with the use case's own 403
 * when may() would refuse the change, instead of showing a form whose every submit fails.
 */
export function refuseUnlessMay(actor: Actor, action: Action): void {
  const decision = may(actor, action);
  if (!decision.allowed) throw new DirectoryError('forbidden', decision.reason);
}

export const roleLabel = (role: Role): string => t(`role.${role}` as MessageKey);
export const sourceLabel = (source: string): string => (source === 'local' || source === 'ldap' ? t(`source.${source}`) : source);

export const isRole = (value: string | undefined): value is Role => (ROLES as readonly string[]).includes(value ?? '');

/** `?a=1&b=2` of the non-empty values (links that keep a listing's filters). */
export function queryString(values: Readonly<Record<string, string | number | undefined>>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value !== undefined && value !== '') params.set(name, String(value));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** "Previous / Page n of m / Next" links for a listing. */
export function pager(path: string, filters: Readonly<Record<string, string | undefined>>, page: number, perPage: number, total: number): string {
  const pages = Math.max(1, Math.ceil(total / perPage));
  const prev = page > 1 ? `<a href="${path}${queryString({ ...filters, page: page - 1 })}" rel="prev">${t('common.previous')}</a>` : '';
  const next = page < pages ? `<a href="${path}${queryString({ ...filters, page: page + 1 })}" rel="next">${t('common.next')}</a>` : '';
  return `<nav class="pager" aria-label="${t('common.pageOf', { page, pages, total })}">${prev}<span>${t('common.pageOf', { page, pages, total })}</span>${next}</nav>`;
}

/** A page number from the query: 1 when absent or nonsense. */
export const pageNumber = (value: string | undefined): number => {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 && n <= 1_000_000 ? n : 1;
};
