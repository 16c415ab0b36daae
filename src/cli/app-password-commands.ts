import type { AppPasswordSummary } from '../control/summaries.js';
import type { ManagementCommand } from './management-command.js';
import { renderTable } from './render-table.js';

/** `pgdir users app-passwords USER` and `pgdir users revoke-app-password USER ID` (issue 14). */
export const APP_PASSWORD_COMMANDS: readonly ManagementCommand[] = [
  {
    name: 'users app-passwords',
    request: 'users.app-passwords',
    summary: "list a user's app passwords (LDAP bind passwords; never the passwords)",
    usage: 'users app-passwords USER [--json]\n\nUSER is a username, an email address or a user id.\n\n  --json   print a JSON array instead of a table',
    options: { json: { type: 'boolean' } },
    positionals: ['USER'],
    fieldFlags: { user: 'USER' },
    toArgs: async (_values, [user]) => ({ user }),
    render(result, values, io) {
      const items = result as AppPasswordSummary[];
      if (values.json === true) return void io.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
      const rows = items.map((p) => [p.id, p.name, p.createdAt, p.lastUsedAt ?? 'never']);
      io.stdout.write(renderTable(['ID', 'NAME', 'CREATED', 'LAST USED'], rows));
    },
  },
  {
    name: 'users revoke-app-password',
    request: 'users.revoke-app-password',
    summary: "revoke one of a user's app passwords (binds with it fail at once)",
    usage: 'users revoke-app-password USER ID\n\nUSER is a username, an email address or a user id; ID comes from `users app-passwords`.',
    options: {},
    positionals: ['USER', 'ID'],
    fieldFlags: { user: 'USER', id: 'ID' },
    toArgs: async (_values, [user, id]) => ({ user, id }),
    render(result, _values, io) {
      const revoked = result as AppPasswordSummary;
      io.stdout.write(`revoked app password "${revoked.name}" (id ${revoked.id})\n`);
    },
  },
];
