import type { AppSummary } from '../../../directory/apps/app-summary.js';
import type { AppInput } from '../../../directory/apps/app-service.js';
import { escapeHtml } from '../../../domain/escape-html.js';
import { invalid, type DirectoryError } from '../../../domain/errors.js';
import { LEVELS } from '../../../domain/levels.js';
import { input } from '../console-forms.js';
import { t, type MessageKey } from '../messages.js';
import { textarea } from './admin-kit.js';
import { allowlistProblems } from './directory-server-page.js';

/**
 * The application form the "new" and "edit" pages share (issue 16): name, description, the access
 * rule as an explicit choice (everyone / groups / a team level / nobody but admins — nothing is
 * pre-chosen on a new app, so no app is opened or closed by omission), and the allowed CIDRs.
 * A use case's refusal is shown next to the field it names (`error.field`).
 */
export type AccessKind = 'everyone' | 'groups' | 'team' | 'nobody';
const KINDS: readonly AccessKind[] = ['everyone', 'groups', 'team', 'nobody'];
const KIND_LABEL: Record<AccessKind, MessageKey> = { everyone: 'apps.ruleEveryone', groups: 'apps.ruleGroups', team: 'apps.ruleTeam', nobody: 'apps.ruleNobody' };

export interface AppFormValues {
  readonly name: string;
  readonly description: string;
  readonly kind: AccessKind | '';
  readonly groups: readonly string[];
  readonly team: string;
  readonly level: string;
  readonly cidrs: string;
}

export interface Choices {
  readonly groups: readonly { readonly id: string; readonly name: string }[];
  readonly teams: readonly { readonly id: string; readonly name: string }[];
}

const isKind = (v: string | undefined): v is AccessKind => (KINDS as readonly string[]).includes(v ?? '');

/** The form as posted (repeated `group` fields are the chosen groups). */
export function valuesOf(form: Record<string, string>, all: URLSearchParams): AppFormValues {
  const kind = form['access'];
  return {
    name: (form['name'] ?? '').trim().slice(0, 256),
    description: (form['description'] ?? '').slice(0, 4096),
    kind: isKind(kind) ? kind : '',
    groups: all.getAll('group').slice(0, 1000),
    team: (form['team'] ?? '').slice(0, 256),
    level: (form['level'] ?? '').slice(0, 32),
    cidrs: (form['cidrs'] ?? '').slice(0, 64 * 1024),
  };
}

/** An existing app as form values (group and team rules by id; a team is named by its name in the summary). */
export function valuesFromApp(app: AppSummary, teams: Choices['teams']): AppFormValues {
  const { everyone, groups, teams: rules } = app.access;
  const kind: AccessKind = everyone ? 'everyone' : groups.length > 0 ? 'groups' : rules.length > 0 ? 'team' : 'nobody';
  const rule = rules[0];
  return {
    name: app.name,
    description: app.description,
    kind,
    groups: groups.map((g) => g.id),
    team: rule === undefined ? '' : (teams.find((x) => x.name === rule.team)?.id ?? ''),
    level: rule?.level ?? 'user',
    cidrs: app.allowedCidrs.join('\n'),
  };
}

/** The access rule the API takes, from the explicit choice; a choice without its details is refused here. */
export function accessOf(values: AppFormValues): unknown {
  switch (values.kind) {
    case 'everyone':
      return { everyone: true };
    case 'nobody':
      return { groups: [], teams: [] };
    case 'groups':
      if (values.groups.length === 0) throw invalid(t('apps.groupsMissing'), 'access.groups');
      return { groups: values.groups, teams: [] };
    case 'team':
      if (values.team === '') throw invalid(t('apps.teamMissing'), 'access.teams');
      return { groups: [], teams: [{ team: values.team, level: values.level }] };
    default:
      throw invalid(t('apps.ruleMissing'), 'access');
  }
}

/** One address or range per line (`#` starts a comment, as in the server allowlist). */
export const cidrsOf = (text: string): string[] =>
  text.split(/\r?\n/).flatMap((line) => line.replace(/#.*$/, '').split(/[\s,]+/)).filter((c) => c !== '').slice(0, 1000);

/** What the form sends to create or update (`PATCH` semantics: every field is given). */
export const changesOf = (values: AppFormValues): AppInput => ({
  name: values.name,
  description: values.description,
  access: accessOf(values),
  allowedCidrs: cidrsOf(values.cidrs),
});

/** The form field a use case's error belongs to (`access.groups[0]` → groups). */
function fieldOf(error: DirectoryError | undefined): string | undefined {
  const field = error?.field;
  if (field === undefined) return undefined;
  if (field.startsWith('access.groups')) return 'groups';
  if (field.startsWith('access.teams')) return 'team';
  if (field.startsWith('access')) return 'access';
  if (field.startsWith('allowedCidrs') || field === 'allowlist') return 'cidrs';
  return field;
}

const fieldError = (id: string, error: DirectoryError): string => `<p class="error" id="e-${id}">${escapeHtml(t('apps.fieldError', { message: error.message }))}</p>`;
const invalidAttrs = (id: string, bad: boolean): string => (bad ? ` aria-invalid="true" aria-describedby="e-${id}"` : '');

function ruleFieldset(values: AppFormValues, choices: Choices, bad: string | undefined, error: DirectoryError | undefined): string {
  const radios = KINDS.map((k) => `<label class="check" for="f-access-${k}"><input id="f-access-${k}" type="radio" name="access" value="${k}"${values.kind === k ? ' checked' : ''}${invalidAttrs('access', bad === 'access')}>${escapeHtml(t(KIND_LABEL[k]))}</label>`).join('');
  const chosen = new Set(values.groups);
  const boxes = choices.groups.length === 0 ? `<p class="muted">${t('apps.noGroups')}</p>` : choices.groups
    .map((g) => `<label class="check" for="g-${g.id}"><input id="g-${g.id}" type="checkbox" name="group" value="${escapeHtml(g.id)}"${chosen.has(g.id) ? ' checked' : ''}>${escapeHtml(g.name)}</label>`).join('');
  const teams = [['', t('apps.noTeam')] as const, ...choices.teams.map((x) => [x.id, x.name] as const)];
  const teamOptions = teams.map(([v, text]) => `<option value="${escapeHtml(v)}"${v === values.team ? ' selected' : ''}>${escapeHtml(text)}</option>`).join('');
  const levelOptions = LEVELS.map((l) => `<option value="${l}"${l === (values.level || 'user') ? ' selected' : ''}>${escapeHtml(t(`level.${l}` as MessageKey))}</option>`).join('');
  return `<fieldset><legend>${t('apps.rule')}</legend><p class="muted">${t('apps.ruleHint')}</p>${radios}${bad === 'access' && error !== undefined ? fieldError('access', error) : ''}
<fieldset${bad === 'groups' ? ' aria-describedby="e-groups"' : ''}><legend>${t('apps.groups')}</legend>${boxes}${bad === 'groups' && error !== undefined ? fieldError('groups', error) : ''}</fieldset>
<label for="f-team">${t('apps.team')}</label><select id="f-team" name="team"${invalidAttrs('team', bad === 'team')}>${teamOptions}</select>${bad === 'team' && error !== undefined ? fieldError('team', error) : ''}
<label for="f-level">${t('apps.level')}</label><select id="f-level" name="level">${levelOptions}</select></fieldset>`;
}

/** Every bad line of the addresses, numbered, by the server allowlist's own check. */
function cidrProblems(text: string, error: DirectoryError | undefined): string {
  const problems = allowlistProblems(text);
  if (problems.length === 0) return error === undefined ? '' : fieldError('cidrs', error);
  return `<ul class="error" id="e-cidrs">${problems.map((p) => `<li>${escapeHtml(p)}</li>`).join('')}</ul>`;
}

/** The fields (no <form>, no button): the caller wraps them with its action and CSRF field. */
export function appFields(values: AppFormValues, choices: Choices, error?: DirectoryError): string {
  const bad = fieldOf(error);
  const own = (id: string) => (bad === id && error !== undefined ? fieldError(id, error) : '');
  return `${input('name', t('apps.name'), { value: values.name, required: true, autocomplete: 'off', extra: invalidAttrs('name', bad === 'name') })}${own('name')}
${input('description', t('apps.description'), { value: values.description, autocomplete: 'off', extra: invalidAttrs('description', bad === 'description') })}${own('description')}
${ruleFieldset(values, choices, bad, error)}
${textarea('cidrs', t('apps.cidrs'), values.cidrs, { rows: 3, hint: t('apps.cidrsHint'), invalid: bad === 'cidrs' })}${bad === 'cidrs' ? cidrProblems(values.cidrs, error) : ''}`;
}

export const EMPTY_VALUES: AppFormValues = { name: '', description: '', kind: '', groups: [], team: '', level: 'user', cidrs: '' };
