import type { AppSummary } from '../../../directory/apps/app-summary.js';
import { escapeHtml } from '../../../domain/escape-html.js';
import { invalid, type DirectoryError } from '../../../domain/errors.js';
import { LEVELS } from '../../../domain/levels.js';
import { t, type MessageKey } from '../messages.js';

/**
 * The access-rule part of the application form (issue 16): everyone, nobody but administrators,
 * or any mix of groups (checkboxes) and team levels (rows of team + minimum level). All parts are
 * shown and posted together, so a rule with groups and teams survives an edit. Without JavaScript
 * "add a team row" is a normal submit that re-shows the form with one more empty row; empty rows
 * are ignored. Nothing is pre-chosen on a new app, so no app is opened or closed by omission.
 */
export type AccessKind = 'everyone' | 'listed' | 'nobody';
const KINDS: readonly AccessKind[] = ['everyone', 'listed', 'nobody'];
const KIND_LABEL: Record<AccessKind, MessageKey> = { everyone: 'apps.ruleEveryone', listed: 'apps.ruleListed', nobody: 'apps.ruleNobody' };
const MAX_ROWS = 100;

export interface TeamRow {
  readonly team: string;
  readonly level: string;
}

export interface AccessValues {
  readonly kind: AccessKind | '';
  /** Group ids (or, from a forged or stale form, anything: shown as unknown, refused by the use case). */
  readonly groups: readonly string[];
  /** Every row as shown or posted, empty ones included, so errors keep their row. */
  readonly teams: readonly TeamRow[];
  /** Rows to show (at least one empty row more than the filled ones). */
  readonly rows: number;
}

export interface Choices {
  readonly groups: readonly { readonly id: string; readonly name: string }[];
  readonly teams: readonly { readonly id: string; readonly name: string }[];
}

const isKind = (v: string | undefined): v is AccessKind => (KINDS as readonly string[]).includes(v ?? '');
const filled = (rows: readonly TeamRow[]): number => rows.filter((r) => r.team !== '').length;
const rowCount = (teams: readonly TeamRow[], asked: number): number => Math.min(MAX_ROWS, Math.max(teams.length, filled(teams) + 1, asked));

/** The rule as posted: repeated `group`, and `team`/`level` pairs by position; `more` asks for one more row. */
export function accessValuesOf(form: Record<string, string>, all: URLSearchParams): AccessValues {
  const kind = form['access'];
  const levels = all.getAll('level');
  const teams = all.getAll('team').slice(0, MAX_ROWS).map((team, i) => ({ team: team.slice(0, 256), level: (levels[i] ?? '').slice(0, 32) }));
  const asked = Number.parseInt(form['rows'] ?? '', 10) || 0;
  return { kind: isKind(kind) ? kind : '', groups: all.getAll('group').slice(0, 1000), teams, rows: rowCount(teams, asked + (form['more'] === undefined ? 0 : 1)) };
}

/** An existing app's rule (the summary names teams; the rows hold team ids as the picker does). */
export function accessValuesFromApp(app: AppSummary, teams: Choices['teams']): AccessValues {
  const { everyone, groups, teams: rules } = app.access;
  const kind: AccessKind = everyone ? 'everyone' : groups.length > 0 || rules.length > 0 ? 'listed' : 'nobody';
  const rows = rules.map((r) => ({ team: teams.find((x) => x.name === r.team)?.id ?? r.team, level: r.level }));
  return { kind, groups: groups.map((g) => g.id), teams: rows, rows: rowCount(rows, 0) };
}

export const EMPTY_ACCESS: AccessValues = { kind: '', groups: [], teams: [], rows: 1 };

/** The filled rows with the row each came from (the use case numbers rules by the filled ones). */
const rulesOf = (values: AccessValues) => values.teams.map((r, row) => ({ ...r, row })).filter((r) => r.team !== '');

/** The access rule the API takes; a choice that contradicts the lists, or lists nothing, is refused here. */
export function accessOf(values: AccessValues): unknown {
  const groups = values.groups;
  const teams = rulesOf(values).map(({ team, level }) => ({ team, level }));
  const lists = groups.length > 0 || teams.length > 0;
  switch (values.kind) {
    case 'everyone':
      if (lists) throw invalid(t('apps.everyoneWithLists'), 'access');
      return { everyone: true };
    case 'nobody':
      if (lists) throw invalid(t('apps.nobodyWithLists'), 'access');
      return { groups: [], teams: [] };
    case 'listed':
      if (!lists) throw invalid(t('apps.listedMissing'), 'access.groups');
      return { groups, teams };
    default:
      throw invalid(t('apps.ruleMissing'), 'access');
  }
}

/** The form field a use case's error names: `access.teams[1].level` is the level of the second filled row. */
export function accessFieldOf(field: string, values: AccessValues): string {
  if (field.startsWith('access.groups')) return 'groups';
  const rule = /^access\.teams\[(\d+)\](?:\.(team|level))?/.exec(field);
  if (rule !== null) return `${rule[2] ?? 'team'}-${rulesOf(values)[Number(rule[1])]?.row ?? 0}`;
  return field.startsWith('access.teams') ? 'team-0' : 'access';
}

/** Next to a team row, the use case's `access.teams[i].level …` reads as "the level …" (its i counts filled rows only). */
const rowMessage = (message: string): string => message.replace(/^access\.teams\[\d+\]\.(team|level)\b/, (_, part: string) => t(part === 'level' ? 'apps.theLevel' : 'apps.theTeam'));

export const fieldError = (id: string, error: DirectoryError): string => `<p class="error" id="e-${id}">${escapeHtml(t('apps.fieldError', { message: rowMessage(error.message) }))}</p>`;
export const invalidAttrs = (id: string, bad: boolean): string => (bad ? ` aria-invalid="true" aria-describedby="e-${id}"` : '');

const option = (value: string, text: string, selected: boolean): string => `<option value="${escapeHtml(value)}"${selected ? ' selected' : ''}>${escapeHtml(text)}</option>`;

function groupBoxes(values: AccessValues, choices: Choices): string {
  const known = new Set(choices.groups.map((g) => g.id));
  const unknown = values.groups.filter((g) => !known.has(g)).map((id, i) => ({ id, name: t('apps.unknownGroup', { ref: id }), key: `unknown-${i}` }));
  const all = [...choices.groups.map((g) => ({ ...g, key: g.id })), ...unknown];
  if (all.length === 0) return `<p class="muted">${t('apps.noGroups')}</p>`;
  const chosen = new Set(values.groups);
  return all.map((g) => `<label class="check" for="g-${escapeHtml(g.key)}"><input id="g-${escapeHtml(g.key)}" type="checkbox" name="group" value="${escapeHtml(g.id)}"${chosen.has(g.id) ? ' checked' : ''}>${escapeHtml(g.name)}</label>`).join('');
}

function teamRow(row: TeamRow, i: number, choices: Choices, own: (id: string) => string, bad: string | undefined): string {
  const known = row.team === '' || choices.teams.some((x) => x.id === row.team);
  const teams = [option('', t('apps.noTeam'), row.team === ''), ...choices.teams.map((x) => option(x.id, x.name, x.id === row.team)), known ? '' : option(row.team, t('apps.unknownTeam', { ref: row.team }), true)];
  const level = row.level === '' ? 'user' : row.level;
  const knownLevel = (LEVELS as readonly string[]).includes(level);
  const levels = [...LEVELS.map((l) => option(l, t(`level.${l}` as MessageKey), l === level)), knownLevel ? '' : option(level, t('apps.unknownLevel', { level }), true)];
  const n = i + 1;
  return `<div class="filters team-row"><div><label for="f-team-${i}">${t('apps.teamRow', { n })}</label><select id="f-team-${i}" name="team"${invalidAttrs(`team-${i}`, bad === `team-${i}`)}>${teams.join('')}</select>${own(`team-${i}`)}</div>
<div><label for="f-level-${i}">${t('apps.levelRow', { n })}</label><select id="f-level-${i}" name="level"${invalidAttrs(`level-${i}`, bad === `level-${i}`)}>${levels.join('')}</select>${own(`level-${i}`)}</div></div>`;
}

/** The rule's fieldset; `bad` is the field the error belongs to (from accessFieldOf). */
export function accessFieldset(values: AccessValues, choices: Choices, bad: string | undefined, error: DirectoryError | undefined): string {
  const own = (id: string) => (bad === id && error !== undefined ? fieldError(id, error) : '');
  const radios = KINDS.map((k) => `<label class="check" for="f-access-${k}"><input id="f-access-${k}" type="radio" name="access" value="${k}"${values.kind === k ? ' checked' : ''}${invalidAttrs('access', bad === 'access')}>${escapeHtml(t(KIND_LABEL[k]))}</label>`).join('');
  const rows = Array.from({ length: values.rows }, (_, i) => teamRow(values.teams[i] ?? { team: '', level: 'user' }, i, choices, own, bad)).join('\n');
  return `<fieldset><legend>${t('apps.rule')}</legend><p class="muted">${t('apps.ruleHint')}</p>${radios}${own('access')}
<fieldset${bad === 'groups' ? ' aria-describedby="e-groups"' : ''}><legend>${t('apps.groups')}</legend>${groupBoxes(values, choices)}${own('groups')}</fieldset>
<fieldset><legend>${t('apps.teamRules')}</legend><p class="muted">${t('apps.teamRulesHint')}</p>
${rows}<input type="hidden" name="rows" value="${values.rows}"></fieldset></fieldset>`;
}

/** "Add a team row": after the form's main button, so Enter in a field still saves (the first submit button is the default, WHATWG HTML §4.10.21.2). */
export const moreRowsButton = (): string => `<button type="submit" name="more" value="1" class="secondary">${t('apps.addTeamRow')}</button>`;
