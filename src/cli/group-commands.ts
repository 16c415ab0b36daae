import type { GroupSummary } from '../control/summaries.js';
import { str, type ManagementCommand } from './management-command.js';
import { renderTable } from './render-table.js';

const membership = (sub: 'add-member' | 'remove-member', verb: string): ManagementCommand => ({
  name: `groups ${sub}`,
  request: `groups.${sub}`,
  summary: sub === 'add-member' ? 'add a user to a group' : 'remove a user from a group',
  usage: `groups ${sub} NAME USER\n\nUSER is a username, an email address or a user id.`,
  options: {},
  positionals: ['NAME', 'USER'],
  fieldFlags: { group: 'NAME', user: 'USER' },
  toArgs: async (_values, [group, user]) => ({ group, user }),
  render(result, _values, io) {
    const { group, user, changed } = result as { group: string; user: string; changed: boolean };
    io.stdout.write(changed ? `${verb} ${user} ${sub === 'add-member' ? 'to' : 'from'} ${group}\n` : `no change: ${user} ${sub === 'add-member' ? 'is already' : 'is not'} a member of ${group}\n`);
  },
});

export const GROUP_COMMANDS: readonly ManagementCommand[] = [
  {
    name: 'groups add',
    request: 'groups.add',
    summary: 'create a group',
    usage: 'groups add NAME [--description TEXT]\n\nNAME: letters, digits, "." and "-".',
    options: { description: { type: 'string' } },
    positionals: ['NAME'],
    fieldFlags: { name: 'NAME', description: '--description' },
    toArgs: async (values, [name]) => ({ name, description: str(values.description) }),
    render(result, _values, io) {
      const group = result as GroupSummary;
      io.stdout.write(`created group ${group.name} (gid ${group.gidNumber}, id ${group.id})\n`);
    },
  },
  {
    name: 'groups list',
    request: 'groups.list',
    summary: 'list groups and their members',
    usage: 'groups list [--json]\n\n  --json   print a JSON array instead of a table',
    options: { json: { type: 'boolean' } },
    positionals: [],
    toArgs: async () => ({}),
    render(result, values, io) {
      const groups = result as GroupSummary[];
      if (values.json === true) return void io.stdout.write(`${JSON.stringify(groups, null, 2)}\n`);
      const rows = groups.map((g) => [g.name, String(g.gidNumber), g.members.join(',')]);
      io.stdout.write(renderTable(['NAME', 'GID', 'MEMBERS'], rows));
    },
  },
  membership('add-member', 'added'),
  membership('remove-member', 'removed'),
  {
    name: 'groups delete',
    request: 'groups.delete',
    summary: 'delete a group (its members stay)',
    usage: 'groups delete NAME',
    options: {},
    positionals: ['NAME'],
    toArgs: async (_values, [name]) => ({ name }),
    render(result, _values, io) {
      io.stdout.write(`deleted group ${(result as GroupSummary).name}\n`);
    },
  },
];
