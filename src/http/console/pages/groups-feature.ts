import { z } from 'zod';
import { may } from '../../../domain/permissions.js';
import { defineRoute, type AnyRoute, type RawBody } from '../../route.js';
import type { ConsoleContext, ConsoleFeature } from '../console-feature.js';
import { formOf } from '../console-forms.js';
import { seeOther } from '../console-layout.js';
import { t } from '../messages.js';
import { deleteGroupPage, groupPage, groupsListPage, newGroupForm } from './group-pages.js';
import { attempt } from './page-kit.js';
import { FORM, HTML } from './sign-in-pages.js';

const text = z.string().max(200).optional();
const listQuery = z.object({ search: text, page: text, done: text, name: text });
const groupQuery = z.object({ find: text, page: text });

/** The Groups pages (issue 15): list, new, members (add by search, remove), delete. */
function routes(console: ConsoleContext): AnyRoute[] {
  const { groups, users } = console.api.directory;
  const page = { tag: 'console', auth: 'user', page: true, textResponse: HTML } as const;
  const id = (params: Readonly<Record<string, string>>): string => params['id'] ?? '';
  const member = (kind: 'add' | 'remove'): AnyRoute =>
    defineRoute<RawBody>({
      ...page, method: 'POST', path: `/groups/:id/members/${kind}`, summary: `Console: ${kind} a group member`, raw: FORM,
      handle: async ({ caller, params, body }) => {
        const userRef = formOf(body.text)['user'] ?? '';
        const done = await attempt(async () => {
          const user = await users.getUser(userRef, caller.actor);
          await (kind === 'add' ? groups.addMember(id(params), user.id, caller.actor) : groups.removeMember(id(params), user.id, caller.actor));
          return user.username ?? user.email;
        });
        if (!done.ok) return groupPage(console, caller, id(params), { error: done.error.message, status: done.error.status });
        return groupPage(console, caller, id(params), { notice: t(kind === 'add' ? 'groups.added' : 'groups.removed', { name: done.value }) });
      },
    });
  return [
    defineRoute({ ...page, method: 'GET', path: '/groups', summary: 'Console: groups', query: listQuery, handle: async ({ caller, query }) => groupsListPage(console, caller, query) }),
    defineRoute({ ...page, method: 'GET', path: '/groups/new', summary: 'Console: the new group form', handle: async ({ caller }) => newGroupForm(console, caller) }),
    defineRoute<RawBody>({
      ...page, method: 'POST', path: '/groups/new', summary: 'Console: create a group', raw: FORM,
      handle: async ({ caller, body }) => {
        const form = formOf(body.text);
        const made = await attempt(() => groups.addGroup({ name: (form['name'] ?? '').trim(), description: (form['description'] ?? '').trim() || null }, caller.actor));
        return made.ok ? seeOther(`/groups/${made.value.id}`) : newGroupForm(console, caller, form, made.error.message, made.error.status);
      },
    }),
    defineRoute({ ...page, method: 'GET', path: '/groups/:id', summary: 'Console: one group and its members', query: groupQuery, handle: async ({ caller, params, query }) => groupPage(console, caller, id(params), query) }),
    defineRoute({ ...page, method: 'GET', path: '/groups/:id/delete', summary: 'Console: confirm deleting a group', handle: async ({ caller, params }) => deleteGroupPage(console, caller, id(params)) }),
    defineRoute<RawBody>({
      ...page, method: 'POST', path: '/groups/:id/delete', summary: 'Console: delete a group', raw: FORM,
      handle: async ({ caller, params }) => {
        const gone = await groups.deleteGroup(id(params), caller.actor);
        return seeOther(`/groups?done=deleted&name=${encodeURIComponent(gone.name)}`);
      },
    }),
    member('add'),
    member('remove'),
  ];
}

export const groupsFeature: ConsoleFeature = {
  name: 'groups',
  nav: [{ href: '/groups', label: t('groups.nav'), order: 20, visible: (actor) => may(actor, 'group.read').allowed }],
  routes,
};
