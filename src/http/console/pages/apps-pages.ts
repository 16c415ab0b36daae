import { may } from '../../../domain/permissions.js';
import type { RawBody, RequestContext } from '../../route.js';
import type { ConsoleContext, ConsoleFeature } from '../console-feature.js';
import { t } from '../messages.js';
import { page, post } from './admin-kit.js';
import { appPage, deletePost, rotatePost, saveApp } from './app-edit-page.js';
import { valuesOf } from './app-form-page.js';
import { APPS_PATH } from './app-secret-page.js';
import { createApp, listPage, newPage } from './apps-list-page.js';
import { refuseUnlessMay } from './page-kit.js';

/**
 * Applications in the console (issue 16): the list, a new application (its secret shown once),
 * one application's page (edit, who has access and why, new secret, delete). Admins and owners,
 * as for /api/v1/apps: the nav entry and the controls follow may(), and every post goes through
 * the use case, which refuses anyone else (403) whatever the form says.
 */
const values = (ctx: RequestContext<RawBody>, form: Record<string, string>) => valuesOf(form, new URLSearchParams(ctx.body.text));
const ref = (params: Readonly<Record<string, string>>): string => params['id'] ?? '';

function routes(console: ConsoleContext) {
  return [
    page(APPS_PATH, 'applications: access rules, addresses and how many users have access', async ({ caller }, query) => listPage(console, caller, query)),
    page(`${APPS_PATH}/new`, 'new application form', async ({ caller }) => {
      refuseUnlessMay(caller.actor, 'app.manage');
      return newPage(console, caller);
    }),
    post(`${APPS_PATH}/new`, 'create an application (its secret is shown once), or show one more team row', async (ctx, form) => {
      const posted = values(ctx, form);
      if (!posted.more) return createApp(console, ctx.caller, ctx.req, posted);
      refuseUnlessMay(ctx.caller.actor, 'app.manage');
      return newPage(console, ctx.caller, posted);
    }),
    page(`${APPS_PATH}/:id`, 'an application: settings, who has access and why, how to connect', async ({ caller, req, params }, query) => appPage(console, caller, req, ref(params), query)),
    post(`${APPS_PATH}/:id`, "change an application's name, description, access or addresses, or show one more team row", async (ctx, form) => {
      const posted = values(ctx, form);
      if (!posted.more) return saveApp(console, ctx.caller, ctx.req, ref(ctx.params), posted);
      refuseUnlessMay(ctx.caller.actor, 'app.manage');
      return appPage(console, ctx.caller, ctx.req, ref(ctx.params), {}, { values: posted });
    }),
    post(`${APPS_PATH}/:id/secret`, "make a new application secret (after a confirmation step; shown once)", async ({ caller, req, params }, form) => rotatePost(console, caller, req, ref(params), form)),
    post(`${APPS_PATH}/:id/delete`, 'delete an application (after a confirmation step)', async ({ caller, req, params }, form) => deletePost(console, caller, req, ref(params), form)),
  ];
}

export const appsFeature: ConsoleFeature = {
  name: 'applications',
  nav: [{ href: APPS_PATH, label: t('apps.nav'), order: 45, visible: (actor) => may(actor, 'app.read').allowed }],
  routes,
};
