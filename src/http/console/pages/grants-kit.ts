import type { GrantView } from '../../../directory/teams/grant-view.js';
import type { GrantScope } from '../../../directory/teams/team-service.js';
import { escapeHtml } from '../../../domain/escape-html.js';
import { LEVELS } from '../../../domain/levels.js';
import type { Caller, Reply } from '../../route.js';
import type { ConsoleContext } from '../console-feature.js';
import { button, hidden, input, select } from '../console-forms.js';
import { csrfField } from '../console-layout.js';
import { t, type MessageKey } from '../messages.js';
import { attempt, done } from './admin-kit.js';

/**
 * The grants table and forms a team page and the organisation grants page share: each grant with
 * a level select (change) and a revoke button, then "add a grant" (user, @group or everyone).
 * Both post to `action` and `action/revoke`; the team use cases decide (may()).
 */
const levelChoices = LEVELS.map((l) => [l, t(`level.${l}` as MessageKey)] as const);

export function principalLabel(g: GrantView): string {
  if (g.principal.type === 'everyone') return t('grants.everyone');
  const name = g.principal.name ?? g.principal.id ?? '';
  return g.principal.type === 'group' ? `@${name}` : name;
}

function row(caller: Caller, action: string, g: GrantView, i: number): string {
  const who = principalLabel(g);
  const ids = `${hidden('type', g.principal.type)}${g.principal.id === undefined ? '' : hidden('id', g.principal.id)}`;
  const options = levelChoices.map(([v, text]) => `<option value="${v}"${v === g.level ? ' selected' : ''}>${escapeHtml(text)}</option>`).join('');
  return `<tr><td>${escapeHtml(who)}</td>
<td><form method="post" action="${action}">${csrfField(caller)}${ids}<select id="lv-${i}" name="level" aria-label="${escapeHtml(t('grants.levelFor', { name: who }))}">${options}</select> <button type="submit" class="secondary" aria-label="${escapeHtml(t('grants.changeFor', { name: who }))}">${t('grants.change')}</button></form></td>
<td><form method="post" action="${action}/revoke">${csrfField(caller)}${ids}<button type="submit" class="danger" aria-label="${escapeHtml(t('grants.revokeFor', { name: who }))}">${t('grants.revoke')}</button></form></td></tr>`;
}

/** The grants table plus the "add a grant" form. */
export function grantsSection(caller: Caller, action: string, grants: readonly GrantView[], form: Record<string, string> = {}): string {
  const table = grants.length === 0 ? `<p>${t('grants.none')}</p>` : `<div class="table-wrap"><table><caption>${t('grants.caption')}</caption>
<thead><tr><th scope="col">${t('grants.who')}</th><th scope="col">${t('grants.level')}</th><th scope="col">${t('common.actions')}</th></tr></thead>
<tbody>${grants.map((g, i) => row(caller, action, g, i)).join('')}</tbody></table></div>`;
  const types = [['user', t('grants.typeUser')], ['group', t('grants.typeGroup')], ['everyone', t('grants.typeEveryone')]] as const;
  return `<section aria-labelledby="h-grants"><h2 id="h-grants">${t('grants.title')}</h2>${table}
<h3>${t('grants.add')}</h3>
<form method="post" action="${action}">${csrfField(caller)}
${select('type', t('grants.type'), types, form['type'] ?? 'user')}
${input('id', t('grants.principal'), { value: form['id'], autocomplete: 'off', extra: ' aria-describedby="principal-hint"' })}
<p class="muted" id="principal-hint">${t('grants.principalHint')}</p>
${select('level', t('grants.level'), levelChoices, form['level'] ?? 'viewer')}
${button(t('grants.save'))}
</form></section>`;
}

/** A grant form's principal: `{type, id}` (id left out for everyone; the use case checks both). */
export function principalOf(form: Record<string, string>): { type: string; id?: string } {
  const type = (form['type'] ?? '').slice(0, 20);
  const id = (form['id'] ?? '').trim().replace(/^@/, '').slice(0, 320);
  return type === 'everyone' || id === '' ? { type } : { type, id };
}

/** The two grant posts of a scope: put (add or change the level) and revoke. */
export async function grantPost(
  console: ConsoleContext, caller: Caller, scope: GrantScope, path: string, form: Record<string, string>, revoke: boolean,
  again: (form: Record<string, string>, error: import('../../../domain/errors.js').DirectoryError) => Promise<Reply>,
): Promise<Reply> {
  const { teams } = console.api.directory;
  const result = revoke
    ? await attempt(() => teams.deleteGrant(scope, principalOf(form), caller.actor))
    : await attempt(() => teams.putGrant(scope, { principal: principalOf(form), level: (form['level'] ?? '').slice(0, 20) }, caller.actor));
  return result.ok ? done(path, revoke ? 'grants.revoked' : 'grants.saved') : again(form, result.error);
}
