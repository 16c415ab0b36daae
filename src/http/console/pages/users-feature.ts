import { z } from 'zod';
import { may } from '../../../domain/permissions.js';
import { defineRoute, type AnyRoute, type RawBody } from '../../route.js';
import type { ConsoleContext, ConsoleFeature } from '../console-feature.js';
import { formOf } from '../console-forms.js';
import { t } from '../messages.js';
import { FORM, HTML } from './sign-in-pages.js';
import { deleteUserPage, userActionRoutes } from './user-actions.js';
import { userEditPage } from './user-edit-page.js';
import { importBodyLimit, importForm, startImport } from './user-import-page.js';
import { importJobPage, ImportJobs } from './user-import-progress.js';
import { createUser, newUserForm } from './user-new-page.js';
import { usersListPage, usersQuery } from './users-list-page.js';

const doneQuery = z.object({ done: z.string().max(40).optional() });

/** The Users pages (issue 15): list, new, edit and its actions, delete, import. Literal paths first. */
function routes(console: ConsoleContext): AnyRoute[] {
  const page = { tag: 'console', auth: 'user', page: true, textResponse: HTML } as const;
  const id = (params: Readonly<Record<string, string>>): string => params['id'] ?? '';
  const imports = new ImportJobs();
  return [
    defineRoute({ ...page, method: 'GET', path: '/users', summary: 'Console: users, filtered and paged', query: usersQuery, handle: async ({ caller, query }) => usersListPage(console, caller, query) }),
    defineRoute({ ...page, method: 'GET', path: '/users/new', summary: 'Console: the new user form', handle: async ({ caller }) => newUserForm(console, caller) }),
    defineRoute<RawBody>({ ...page, method: 'POST', path: '/users/new', summary: 'Console: create a user (invite or password)', raw: FORM, handle: async ({ caller, req, body }) => createUser(console, caller, req, formOf(body.text)) }),
    defineRoute({ ...page, method: 'GET', path: '/users/import', summary: 'Console: the import form', handle: async ({ caller }) => importForm(console, caller) }),
    defineRoute<RawBody>({
      ...page, method: 'POST', path: '/users/import', summary: 'Console: import users from a CSV or JSON file (or pasted text) as a job; its progress page follows',
      raw: { types: [...FORM.types, 'multipart/form-data'], maxBytes: importBodyLimit(console.api.maxImportBytes) },
      handle: async ({ caller, req, body }) => startImport(console, imports, caller, req, body),
    }),
    defineRoute({
      // Read in memory, not through the session store (user-import-progress.ts says why).
      ...page, auth: 'none', method: 'GET', path: '/users-import/:job', summary: 'Console: the progress of an import, then its per-row report (htmx refreshes it; without JavaScript, Refresh)',
      errors: { 404: 'No such import, or another session started it' },
      handle: async ({ req, params }) => importJobPage(console, imports, req, params['job'] ?? ''),
    }),
    defineRoute({ ...page, method: 'GET', path: '/users/:id', summary: 'Console: one user and the changes the caller may make', query: doneQuery, handle: async ({ caller, params, query }) => userEditPage(console, caller, id(params), { done: query.done }) }),
    defineRoute({ ...page, method: 'GET', path: '/users/:id/delete', summary: 'Console: confirm deleting a user', handle: async ({ caller, params }) => deleteUserPage(console, caller, id(params)) }),
    ...userActionRoutes(console),
  ];
}

export const usersFeature: ConsoleFeature = {
  name: 'users',
  nav: [{ href: '/users', label: t('users.nav'), order: 10, visible: (actor) => may(actor, 'user.list').allowed }],
  routes,
};
