import { str, type ManagementCommand, type OptionValues } from './management-command.js';
import { renderTable } from './render-table.js';
import { UsageError } from './usage-error.js';

/** A grant as the daemon returns it (JSON). */
interface GrantJson {
  readonly scope: { readonly type: string; readonly name?: string };
  readonly principal: { readonly type: string; readonly name?: string };
  readonly level: string;
}
const principalText = (p: GrantJson['principal']): string => (p.type === 'everyone' ? 'everyone' : p.type === 'group' ? `@${p.name ?? ''}` : (p.name ?? ''));
const scopeText = (g: GrantJson): string => (g.scope.type === 'organization' ? 'the organization' : `team ${g.scope.name ?? ''}`);

/**
 * `teams grant TEAM|--org (USER | @GROUP | --everyone) LEVEL`: --org stands in for TEAM and
 * --everyone for the principal, so 1 to 3 positionals. `@name` names a group.
 */
function grantArgs(values: OptionValues, positionals: readonly string[], name: string, withLevel: boolean): Record<string, unknown> {
  const org = values.org === true;
  const everyone = values.everyone === true;
  const want = (org ? 0 : 1) + (everyone ? 0 : 1) + (withLevel ? 1 : 0);
  if (positionals.length !== want) throw new UsageError(`expected ${want} argument${want === 1 ? '' : 's'}, got ${positionals.length}`, name);
  const rest = [...positionals];
  const team = org ? undefined : rest.shift();
  const who = everyone ? undefined : (rest.shift() as string);
  const principal = who === undefined ? { type: 'everyone' } : who.startsWith('@') ? { type: 'group', id: who.slice(1) } : { type: 'user', id: who };
  return { org, team, principal, ...(withLevel ? { level: rest.shift() } : {}) };
}

const GRANT_USAGE = `TEAM|--org (USER | @GROUP | --everyone)`;
const LEVELS_HELP = 'LEVEL: viewer < user < editor < publisher < admin (each includes those below).';

export const TEAM_COMMANDS: readonly ManagementCommand[] = [
  {
    name: 'teams add',
    request: 'teams.add',
    summary: 'create a team',
    usage: 'teams add NAME [--description TEXT]\n\nNAME: letters, digits, "." and "-"; not "organization", not ending in .<level>.',
    options: { description: { type: 'string' } },
    positionals: ['NAME'],
    fieldFlags: { name: 'NAME', description: '--description' },
    toArgs: async (values, [name]) => ({ name, description: str(values.description) }),
    render: (result, _values, io) => void io.stdout.write(`created team ${(result as { name: string; id: string }).name} (id ${(result as { id: string }).id})\n`),
  },
  {
    name: 'teams list',
    request: 'teams.list',
    summary: 'list teams and their grants',
    usage: 'teams list [--json]\n\n  --json   print a JSON array instead of a table',
    options: { json: { type: 'boolean' } },
    positionals: [],
    toArgs: async () => ({}),
    render(result, values, io) {
      const teams = result as { name: string; description: string; grants: GrantJson[] }[];
      if (values.json === true) return void io.stdout.write(`${JSON.stringify(teams, null, 2)}\n`);
      const rows = teams.map((t) => [t.name, t.grants.map((g) => `${principalText(g.principal)}:${g.level}`).join(',') || '-', t.description]);
      io.stdout.write(renderTable(['NAME', 'GRANTS', 'DESCRIPTION'], rows));
    },
  },
  {
    name: 'teams rename',
    request: 'teams.rename',
    summary: 'rename a team (its id stays; its derived groups move)',
    usage: 'teams rename OLD NEW',
    options: {},
    positionals: ['OLD', 'NEW'],
    fieldFlags: { team: 'OLD', name: 'NEW' },
    toArgs: async (_values, [team, name]) => ({ team, name }),
    render: (result, _values, io) => void io.stdout.write(`renamed team to ${(result as { name: string }).name}\n`),
  },
  {
    name: 'teams delete',
    request: 'teams.delete',
    summary: 'delete a team with its grants and derived groups',
    usage: 'teams delete NAME',
    options: {},
    positionals: ['NAME'],
    fieldFlags: { team: 'NAME' },
    toArgs: async (_values, [team]) => ({ team }),
    render(result, _values, io) {
      const team = result as { name: string; grants: unknown[] };
      io.stdout.write(`deleted team ${team.name} and its ${team.grants.length} grant${team.grants.length === 1 ? '' : 's'}\n`);
    },
  },
  {
    name: 'teams grant',
    request: 'teams.grant',
    summary: 'give a user, @group or everyone a level on a team or the organisation',
    usage: `teams grant ${GRANT_USAGE} LEVEL\n\n  --org        the organisation (that level on every team) instead of a team\n  --everyone   every active user (default permissions)\n\nUSER is a username, email or id; @GROUP a group name. ${LEVELS_HELP}\nOne grant per principal: granting again replaces the level.`,
    options: { org: { type: 'boolean' }, everyone: { type: 'boolean' } },
    positionals: ['TEAM', 'PRINCIPAL', 'LEVEL'],
    minPositionals: 1,
    fieldFlags: { level: 'LEVEL', team: 'TEAM', 'principal.id': 'PRINCIPAL', 'principal.type': 'PRINCIPAL' },
    toArgs: async (values, positionals) => grantArgs(values, positionals, 'teams grant', true),
    render(result, _values, io) {
      const g = result as GrantJson;
      io.stdout.write(`granted ${principalText(g.principal)} ${g.level} on ${scopeText(g)}\n`);
    },
  },
  {
    name: 'teams revoke',
    request: 'teams.revoke',
    summary: 'remove the grant of a user, @group or everyone',
    usage: `teams revoke ${GRANT_USAGE}`,
    options: { org: { type: 'boolean' }, everyone: { type: 'boolean' } },
    positionals: ['TEAM', 'PRINCIPAL'],
    minPositionals: 0,
    fieldFlags: { team: 'TEAM', 'principal.id': 'PRINCIPAL', 'principal.type': 'PRINCIPAL' },
    toArgs: async (values, positionals) => grantArgs(values, positionals, 'teams revoke', false),
    render(result, _values, io) {
      const g = result as GrantJson;
      io.stdout.write(`revoked ${principalText(g.principal)} (${g.level}) on ${scopeText(g)}\n`);
    },
  },
];

/** `pgdir users permissions USER [--json]` (listed with the users commands). */
export const USER_PERMISSIONS_COMMAND: ManagementCommand = {
  name: 'users permissions',
  request: 'users.permissions',
  summary: "show a user's organisation and team levels and the grants behind them",
  usage: 'users permissions USER [--json]\n\n  --json   print the JSON answer of GET /api/v1/users/:id/permissions',
  options: { json: { type: 'boolean' } },
  positionals: ['USER'],
  fieldFlags: { user: 'USER' },
  toArgs: async (_values, [user]) => ({ user }),
  render(result, values, io) {
    const r = result as { organization: string | null; organizationBecause: GrantJson[]; teams: { team: { name: string }; level: string; because: GrantJson[] }[] };
    if (values.json === true) return void io.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    const why = (gs: GrantJson[]): string => gs.map((g) => `${principalText(g.principal)} on ${scopeText(g)}`).join('; ');
    const rows = [['(organization)', r.organization ?? '-', why(r.organizationBecause)], ...r.teams.map((t) => [t.team.name, t.level, why(t.because)])];
    io.stdout.write(renderTable(['TEAM', 'LEVEL', 'BECAUSE'], rows));
  },
};
