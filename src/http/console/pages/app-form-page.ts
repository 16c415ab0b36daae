import type { AppSummary } from '../../../directory/apps/app-summary.js';
import type { AppInput } from '../../../directory/apps/app-service.js';
import { escapeHtml } from '../../../domain/escape-html.js';
import type { DirectoryError } from '../../../domain/errors.js';
import { button, input } from '../console-forms.js';
import { t } from '../messages.js';
import { textarea } from './admin-kit.js';
import { accessFieldOf, accessFieldset, accessOf, accessValuesFromApp, accessValuesOf, EMPTY_ACCESS, fieldError, invalidAttrs, moreRowsButton, type AccessValues, type Choices } from './app-access-fields.js';
import { allowlistProblems } from './directory-server-page.js';

/**
 * The application form the "new" and "edit" pages share (issue 16): name, description, the access
 * rule (app-access-fields.ts: everyone, nobody but admins, or groups and team levels together) and
 * the allowed CIDRs. A use case's refusal is shown next to the field it names (`error.field`), and
 * everything posted is shown again, so nothing is lost to a validation error.
 */
export type { Choices } from './app-access-fields.js';

export interface AppFormValues {
  readonly name: string;
  readonly description: string;
  readonly access: AccessValues;
  readonly cidrs: string;
  /** The post asked for one more team row (nothing is saved then). */
  readonly more: boolean;
}

/** The form as posted (repeated `group`, `team` and `level` fields are the rule's parts). */
export function valuesOf(form: Record<string, string>, all: URLSearchParams): AppFormValues {
  return {
    name: (form['name'] ?? '').trim().slice(0, 256),
    description: (form['description'] ?? '').slice(0, 4096),
    access: accessValuesOf(form, all),
    cidrs: (form['cidrs'] ?? '').slice(0, 64 * 1024),
    more: form['more'] !== undefined,
  };
}

/** An existing app as form values (group and team rules by id). */
export function valuesFromApp(app: AppSummary, teams: Choices['teams']): AppFormValues {
  return { name: app.name, description: app.description, access: accessValuesFromApp(app, teams), cidrs: app.allowedCidrs.join('\n'), more: false };
}

/** One address or range per line (`#` starts a comment, as in the server allowlist). */
export const cidrsOf = (text: string): string[] =>
  text.split(/\r?\n/).flatMap((line) => line.replace(/#.*$/, '').split(/[\s,]+/)).filter((c) => c !== '').slice(0, 1000);

/** What the form sends to create or update (`PATCH` semantics: every field is given). */
export const changesOf = (values: AppFormValues): AppInput => ({
  name: values.name,
  description: values.description,
  access: accessOf(values.access),
  allowedCidrs: cidrsOf(values.cidrs),
});

/** The form field a use case's error belongs to (`access.teams[0].level` → that row's level). */
function fieldOf(error: DirectoryError | undefined, values: AppFormValues): string | undefined {
  const field = error?.field;
  if (field === undefined) return undefined;
  if (field.startsWith('access')) return accessFieldOf(field, values.access);
  if (field.startsWith('allowedCidrs') || field === 'allowlist') return 'cidrs';
  return field;
}

/** Every bad line of the addresses, numbered, by the server allowlist's own check. */
function cidrProblems(text: string, error: DirectoryError | undefined): string {
  const problems = allowlistProblems(text);
  if (problems.length === 0) return error === undefined ? '' : fieldError('cidrs', error);
  return `<ul class="error" id="e-cidrs">${problems.map((p) => `<li>${escapeHtml(p)}</li>`).join('')}</ul>`;
}

/** The fields (no <form>, no button): the caller wraps them with its action and CSRF field. */
export function appFields(values: AppFormValues, choices: Choices, error?: DirectoryError): string {
  const bad = fieldOf(error, values);
  const own = (id: string) => (bad === id && error !== undefined ? fieldError(id, error) : '');
  return `${input('name', t('apps.name'), { value: values.name, required: true, autocomplete: 'off', extra: invalidAttrs('name', bad === 'name') })}${own('name')}
${input('description', t('apps.description'), { value: values.description, autocomplete: 'off', extra: invalidAttrs('description', bad === 'description') })}${own('description')}
${accessFieldset(values.access, choices, bad, error)}
${textarea('cidrs', t('apps.cidrs'), values.cidrs, { rows: 3, hint: t('apps.cidrsHint'), invalid: bad === 'cidrs' })}${bad === 'cidrs' ? cidrProblems(values.cidrs, error) : ''}`;
}

/** The form's buttons: its main one first (the default on Enter), then "add a team row". */
export const formButtons = (label: string): string => `<div class="actions">${button(label)}${moreRowsButton()}</div>`;

export const EMPTY_VALUES: AppFormValues = { name: '', description: '', access: EMPTY_ACCESS, cidrs: '', more: false };
