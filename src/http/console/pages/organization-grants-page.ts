import type { DirectoryError } from '../../../domain/errors.js';
import type { Caller, Reply } from '../../route.js';
import type { ConsoleContext, ConsoleFeature } from '../console-feature.js';
import { t } from '../messages.js';
import { notice, page, post, refusal, type PageQuery } from './admin-kit.js';
import { grantPost, grantsSection } from './grants-kit.js';

/**
 * Organisation grants (issue 13): a level here is that level on every team; a grant to everyone
 * is the "default permissions". Organisation admins and pgdir admins/owners (may() decides).
 */
const PATH = '/organization/grants';

async function render(console: ConsoleContext, caller: Caller, query: PageQuery, state: { form?: Record<string, string>; error?: DirectoryError } = {}): Promise<Reply> {
  const grants = await console.api.directory.teams.listGrants(null, caller.actor);
  const everyone = grants.find((g) => g.principal.type === 'everyone');
  const body = `${notice(query, ['grants.saved', 'grants.revoked'])}${refusal(state.error)}
<p><a href="/teams">${t('teams.back')}</a></p><p>${t('org.intro')}</p>
<section aria-labelledby="h-default"><h2 id="h-default">${t('org.default')}</h2>
<p>${everyone === undefined ? t('org.defaultNone') : t('org.defaultIs', { level: t(`level.${everyone.level}`) })}</p></section>
${grantsSection(caller, PATH, grants, state.form)}`;
  return console.render(caller, { title: t('org.title'), body, section: '/teams', status: state.error?.status ?? 200 });
}

function routes(console: ConsoleContext) {
  return [
    page(PATH, 'organisation grants and default permissions', async ({ caller }, query) => render(console, caller, query)),
    ...(['', '/revoke'] as const).map((tail) =>
      post(`${PATH}${tail}`, tail === '' ? 'give a principal a level on the organisation (or change it)' : "revoke a principal's organisation grant", async ({ caller }, form) =>
        grantPost(console, caller, null, PATH, form, tail !== '', (f, error) => render(console, caller, {}, { form: f, error })),
      ),
    ),
  ];
}

export const organizationGrantsFeature: ConsoleFeature = { name: 'organization-grants', routes };
