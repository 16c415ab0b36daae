import { escapeHtml } from '../../../domain/escape-html.js';
import type { DirectoryError } from '../../../domain/errors.js';
import { may } from '../../../domain/permissions.js';
import type { Caller, Reply } from '../../route.js';
import type { ConsoleContext, ConsoleFeature } from '../console-feature.js';
import { button, hidden, input } from '../console-forms.js';
import { csrfField } from '../console-layout.js';
import { t } from '../messages.js';
import { attempt, done, notice, page, post, refusal, type PageQuery } from './admin-kit.js';
import { grantPost, grantsSection } from './grants-kit.js';

/**
 * Teams and permissions (issue 13): the teams list with each team's grant count, a new team, a
 * team's page (rename/describe, grants, delete after a confirmation). Every read and change goes
 * through the team use cases, so may() decides: pgdir admins/owners and organisation admins see
 * every team, a team admin theirs; anyone else is refused (403) as by the API.
 */
const PATH = '/teams';
const teamPath = (id: string) => `${PATH}/${encodeURIComponent(id)}`;
interface State {
  readonly form?: Record<string, string>;
  readonly error?: DirectoryError;
}

async function listPage(console: ConsoleContext, caller: Caller, query: PageQuery, state: State = {}): Promise<Reply> {
  const { teams } = console.api.directory;
  const list = await teams.listTeamSummaries(caller.actor);
  const rows = list.map((team) => `<tr><td><a href="${teamPath(team.id)}">${escapeHtml(team.name)}</a></td><td>${escapeHtml(team.description)}</td><td>${team.grantCount}</td></tr>`).join('');
  const table = list.length === 0 ? `<p>${t('teams.none')}</p>` : `<div class="table-wrap"><table><caption>${t('teams.caption')}</caption>
<thead><tr><th scope="col">${t('common.name')}</th><th scope="col">${t('teams.description')}</th><th scope="col">${t('teams.grants')}</th></tr></thead><tbody>${rows}</tbody></table></div>`;
  const body = `${notice(query, ['teams.deleted'])}${refusal(state.error)}
<p>${t('teams.intro')} <a href="/organization/grants">${t('org.link')}</a></p>${table}
<h2>${t('teams.new')}</h2>
<form method="post" action="${PATH}">${csrfField(caller)}
${input('name', t('common.name'), { value: state.form?.['name'], required: true, autocomplete: 'off' })}
${input('description', t('teams.description'), { value: state.form?.['description'], autocomplete: 'off' })}
${button(t('teams.create'))}
</form>`;
  return console.render(caller, { title: t('teams.title'), body, section: PATH, status: state.error?.status ?? 200 });
}

async function teamPage(console: ConsoleContext, caller: Caller, ref: string, query: PageQuery, state: State = {}): Promise<Reply> {
  const { teams } = console.api.directory;
  const team = await teams.getTeam(ref, caller.actor);
  const grants = await teams.listGrants(team.id, caller.actor);
  const base = teamPath(team.id);
  const grantForm = state.form?.['level'] === undefined ? {} : state.form;
  const body = `${notice(query, ['common.saved', 'grants.saved', 'grants.revoked'])}${refusal(state.error)}
<p><a href="${PATH}">${t('teams.back')}</a></p>
<section aria-labelledby="h-team"><h2 id="h-team">${t('teams.details')}</h2>
<form method="post" action="${base}">${csrfField(caller)}
${input('name', t('common.name'), { value: state.form?.['level'] === undefined ? (state.form?.['name'] ?? team.name) : team.name, required: true, autocomplete: 'off' })}
${input('description', t('teams.description'), { value: team.description, autocomplete: 'off' })}
${button(t('common.save'))}
</form></section>
${grantsSection(caller, `${base}/grants`, grants, grantForm)}
<section aria-labelledby="h-delete"><h2 id="h-delete">${t('teams.delete')}</h2>
<form method="post" action="${base}/delete">${csrfField(caller)}${button(t('teams.deleteNamed', { name: team.name }), 'danger')}</form></section>`;
  return console.render(caller, { title: t('teams.teamTitle', { name: team.name }), body, section: PATH, status: state.error?.status ?? 200 });
}

async function confirmDelete(console: ConsoleContext, caller: Caller, ref: string): Promise<Reply> {
  const team = await console.api.directory.teams.getTeam(ref, caller.actor);
  const body = `<p>${escapeHtml(t('teams.confirm', { name: team.name }))}</p>
<form method="post" action="${teamPath(team.id)}/delete" class="actions">${csrfField(caller)}${hidden('confirm', '1')}
${button(t('teams.deleteNamed', { name: team.name }), 'danger')}<a href="${teamPath(team.id)}">${t('common.cancel')}</a></form>`;
  return console.render(caller, { title: t('teams.confirmTitle', { name: team.name }), body, section: PATH });
}

function routes(console: ConsoleContext) {
  const { teams } = console.api.directory;
  const ref = (params: Readonly<Record<string, string>>) => params['id'] ?? '';
  const text = (form: Record<string, string>, name: string, max: number) => (form[name] ?? '').trim().slice(0, max);
  return [
    page(PATH, 'teams and their grant counts', async ({ caller }, query) => listPage(console, caller, query)),
    post(PATH, 'create a team', async ({ caller }, form) => {
      const made = await attempt(() => teams.addTeam({ name: text(form, 'name', 200), description: text(form, 'description', 2000) }, caller.actor));
      return made.ok ? done(teamPath(made.value.id), 'common.saved') : listPage(console, caller, {}, { form, error: made.error });
    }),
    page(`${PATH}/:id`, 'a team: name, description and grants', async ({ caller, params }, query) => teamPage(console, caller, ref(params), query)),
    post(`${PATH}/:id`, 'rename a team or change its description', async ({ caller, params }, form) => {
      const saved = await attempt(() => teams.updateTeam(ref(params), { name: text(form, 'name', 200), description: text(form, 'description', 2000) }, caller.actor));
      return saved.ok ? done(teamPath(saved.value.id), 'common.saved') : teamPage(console, caller, ref(params), {}, { form, error: saved.error });
    }),
    post(`${PATH}/:id/delete`, 'delete a team with its grants (after a confirmation step)', async ({ caller, params }, form) => {
      if (form['confirm'] !== '1') return confirmDelete(console, caller, ref(params));
      const removed = await attempt(() => teams.deleteTeam(ref(params), caller.actor));
      return removed.ok ? done(PATH, 'teams.deleted') : teamPage(console, caller, ref(params), {}, { error: removed.error });
    }),
    ...(['grants', 'grants/revoke'] as const).map((tail) =>
      post(`${PATH}/:id/${tail}`, tail === 'grants' ? "give a principal a level on a team (or change it)" : "revoke a principal's grant on a team", async ({ caller, params }, form) =>
        grantPost(console, caller, ref(params), teamPath(ref(params)), form, tail !== 'grants', (f, error) => teamPage(console, caller, ref(params), {}, { form: { level: '', ...f }, error })),
      ),
    ),
  ];
}

export const teamsFeature: ConsoleFeature = {
  name: 'teams',
  // pgdir admins and owners by their role; organisation and team admins by their levels (read
  // once per page view through the same may() rows the team use cases apply).
  nav: [{ href: PATH, label: t('teams.nav'), order: 40, visible: (actor) => may(actor, 'team.read').allowed, visibleByLevel: (api, actor) => api.directory.teams.readsTeams(actor) }],
  routes,
};
