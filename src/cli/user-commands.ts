import type { UserSummary } from '../control/summaries.js';
import { readPasswordFromStdin } from './read-password.js';
import { renderTable } from './render-table.js';
import { TRANSFER_COMMANDS } from './transfer-commands.js';
import { APP_PASSWORD_COMMANDS } from './app-password-commands.js';
import { str, type ManagementCommand } from './management-command.js';
import { UsageError } from './usage-error.js';

/** `created user alice (uid 10000, id …)`; `%s` in `template` stands for `user alice`. */
const printUser = (template: string) => (result: unknown, _values: unknown, io: { stdout: NodeJS.WritableStream }) => {
  const user = result as UserSummary;
  const text = template.includes('%s') ? template : `${template} %s`;
  io.stdout.write(`${text.replace('%s', `user ${user.username ?? user.email}`)} (uid ${user.uidNumber}, id ${user.id})\n`);
};

const simple = (sub: string, verb: string, summary: string): ManagementCommand => ({
  name: `users ${sub}`,
  request: `users.${sub}`,
  summary,
  usage: `users ${sub} USER\n\nUSER is a username, an email address or a user id.`,
  options: {},
  positionals: ['USER'],
  fieldFlags: { user: 'USER' },
  toArgs: async (_values, [user]) => ({ user }),
  render: printUser(verb),
});

export const USER_COMMANDS: readonly ManagementCommand[] = [
  {
    name: 'users add',
    request: 'users.add',
    summary: 'create a user',
    usage: [
      'users add --username U --email E [--name N] [--role R] [--password-stdin]',
      '',
      '  --username U       login name: letters, digits, "." and "-"',
      '  --email E          primary email address (unique)',
      '  --name N           full name (default: the username)',
      '  --role R           user (default), usermanager, mailmanager, admin or owner',
      '  --password-stdin   read the password from standard input; without it the user is',
      '                     an open invite: not listed over LDAP and unable to bind until a',
      '                     password is set (users set-password, or the invite link from the API)',
    ].join('\n'),
    options: {
      username: { type: 'string' },
      email: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      'password-stdin': { type: 'boolean' },
    },
    positionals: [],
    fieldFlags: { username: '--username', email: '--email', name: '--name', role: '--role', password: '--password-stdin' },
    async toArgs(values, _positionals, io) {
      for (const flag of ['username', 'email'] as const) {
        if (str(values[flag]) === undefined) throw new UsageError(`--${flag} is required`, 'users add');
      }
      return {
        username: str(values.username),
        email: str(values.email),
        name: str(values.name),
        role: str(values.role),
        password: values['password-stdin'] === true ? await readPasswordFromStdin(io) : undefined,
      };
    },
    render: printUser('created'),
  },
  {
    name: 'users list',
    request: 'users.list',
    summary: 'list users',
    usage: 'users list [--json]\n\n  --json   print a JSON array instead of a table',
    options: { json: { type: 'boolean' } },
    positionals: [],
    toArgs: async () => ({}),
    render(result, values, io) {
      const users = result as UserSummary[];
      if (values.json === true) return void io.stdout.write(`${JSON.stringify(users, null, 2)}\n`);
      const rows = users.map((u) => [u.username ?? '-', u.email, u.displayName, u.role, u.active ? 'yes' : 'no', String(u.uidNumber)]);
      io.stdout.write(renderTable(['USERNAME', 'EMAIL', 'NAME', 'ROLE', 'ACTIVE', 'UID'], rows));
    },
  },
  {
    name: 'users set-password',
    request: 'users.set-password',
    summary: "set a user's password (read from standard input)",
    usage: 'users set-password USER --password-stdin\n\n  --password-stdin   read the new password from standard input (required)',
    options: { 'password-stdin': { type: 'boolean' } },
    positionals: ['USER'],
    fieldFlags: { user: 'USER', password: '--password-stdin' },
    async toArgs(values, [user], io) {
      if (values['password-stdin'] !== true) {
        throw new UsageError('--password-stdin is required (passwords are never taken from the command line)', 'users set-password');
      }
      return { user, password: await readPasswordFromStdin(io) };
    },
    render: printUser('password set for %s'),
  },
  simple('disable', 'disabled', 'disable a user (cannot bind; data kept)'),
  simple('enable', 'enabled', 'enable a disabled user'),
  simple('delete', 'deleted', 'delete a user and their group memberships'),
  ...TRANSFER_COMMANDS,
  ...APP_PASSWORD_COMMANDS,
];
