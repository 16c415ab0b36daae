import { systemActor } from '../../../domain/actor.js';
import { addFirstOwner, OWNER_EXISTS } from '../../../directory/users/first-owner.js';
import { DirectoryError } from '../../../domain/errors.js';
import { defineRoute, type AnyRoute, type RawBody, type Reply } from '../../route.js';
import type { ConsoleContext, ConsoleFeature } from '../console-feature.js';
import { button, formOf, input } from '../console-forms.js';
import { alert } from '../console-layout.js';
import { t } from '../messages.js';
import { FORM, HTML, firstRunOpen, startSession } from './sign-in-pages.js';

function setupForm(console: ConsoleContext, values: Record<string, string> = {}, error?: string, status = 200): Reply {
  const body = `${error === undefined ? '' : alert('error', error)}
<p>${t('setup.intro')}</p>
<form method="post" action="/setup">
${input('username', t('setup.username'), { value: values['username'], autocomplete: 'username', required: true })}
${input('email', t('setup.email'), { value: values['email'], type: 'email', autocomplete: 'email', required: true })}
${input('password', t('setup.password'), { type: 'password', autocomplete: 'new-password', required: true })}
${button(t('setup.submit'))}
</form>`;
  return console.render(undefined, { title: t('setup.title'), body, status, narrow: true });
}

const gone = (console: ConsoleContext, text = t('setup.gone'), status = 404): Reply =>
  console.render(undefined, { title: t('setup.title'), body: alert('error', text), status, narrow: true });

/**
 * The first-run owner set-up (the README's first steps): open only while no owner exists and only
 * to a browser on the server itself, so a fresh install on a network cannot be claimed from afar.
 * The owner is created by the first-owner use case (the server's own shell is the system actor),
 * which refuses once an owner exists, then signed in through the normal login pipeline.
 */
function routes(console: ConsoleContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET', path: '/setup', summary: 'Console: set up the first owner (loopback only, while none exists)', tag: 'console', auth: 'none', page: true, textResponse: HTML,
      errors: { 404: 'An owner exists, or the request is not from this machine' },
      handle: async ({ ip }) => ((await firstRunOpen(console, ip)) ? setupForm(console) : gone(console)),
    }),
    defineRoute<RawBody>({
      method: 'POST', path: '/setup', summary: 'Console: create the first owner and sign in', tag: 'console', auth: 'none', page: true, raw: FORM, textResponse: HTML,
      handle: async (ctx) => {
        if (!(await firstRunOpen(console, ctx.ip))) return gone(console);
        const form = formOf(ctx.body.text);
        const password = form['password'] ?? '';
        try {
          // Check and insert in one locked transaction: two racing set-ups make exactly one owner.
          await addFirstOwner(console.api.directory, { username: form['username'] ?? '', email: form['email'] ?? '', password }, systemActor('console-setup'));
        } catch (error) {
          if (!(error instanceof DirectoryError) || error.status >= 500) throw error;
          if (error.field === OWNER_EXISTS) return gone(console, error.message, error.status);
          return setupForm(console, form, error.message, error.status);
        }
        return startSession(console, ctx, { identifier: form['username'] ?? '', password }, '/');
      },
    }),
  ];
}

export const firstRunFeature: ConsoleFeature = { name: 'first-run', routes };
