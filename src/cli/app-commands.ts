import type { AppSummary } from '../directory/apps/app-summary.js';
import type { AppUser } from '../directory/apps/app-users.js';
import { str, type ManagementCommand, type OptionValues } from './management-command.js';
import { renderTable } from './render-table.js';
import { UsageError } from './usage-error.js';

const list = (value: OptionValues[string]): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? [value] : []);

const ACCESS_USAGE = [
  '  --everyone        every user has access',
  '  --group G         members of group G have access (repeat for more groups)',
  '  --team T:LEVEL    anyone with at least LEVEL on team T (viewer, user, editor,',
  '                    publisher, admin); repeat for more teams',
  '  --nobody          nobody but pgdir admins and owners (who always have access)',
  '  --cidr C          allow binds as the application only from C (repeat; default anywhere)',
].join('\n');

/** The access rule the flags state; exactly one way of saying who is required (no default). */
function accessOf(values: OptionValues): Record<string, unknown> {
  const groups = list(values.group);
  const teams = list(values.team).map((t) => {
    const at = t.lastIndexOf(':');
    if (at <= 0 || at === t.length - 1) throw new UsageError(`--team takes TEAM:LEVEL (got "${t}")`);
    return { team: t.slice(0, at), level: t.slice(at + 1) };
  });
  const everyone = values.everyone === true;
  const nobody = values.nobody === true;
  if (nobody && (everyone || groups.length > 0 || teams.length > 0)) throw new UsageError('--nobody cannot be combined with --everyone, --group or --team');
  if (!nobody && !everyone && groups.length === 0 && teams.length === 0) throw new UsageError('say who has access: --everyone, --group G, --team T:LEVEL or --nobody');
  return everyone ? { everyone: true } : { groups, teams };
}

const ACCESS_OPTIONS = {
  everyone: { type: 'boolean' },
  nobody: { type: 'boolean' },
  group: { type: 'string', multiple: true },
  team: { type: 'string', multiple: true },
  cidr: { type: 'string', multiple: true },
} as const;

function describeAccess(app: AppSummary): string {
  if (app.access.everyone) return 'everyone';
  const parts = [...app.access.groups.map((g) => `group ${g.name}`), ...app.access.teams.map((t) => `team ${t.team} at least ${t.level}`)];
  return parts.length === 0 ? 'nobody but admins' : parts.join(', ');
}

const printSecret = (verb: string) => (result: unknown, _values: unknown, io: { stdout: NodeJS.WritableStream }) => {
  const app = result as AppSummary & { secret: string };
  io.stdout.write(`${verb} application ${app.name}\n  bind DN: ${app.bindDn}\n  base DN: ${app.baseDn}\n  secret:  ${app.secret}\n(the secret is shown only now; pgdir stores a hash)\n`);
};

export const APP_COMMANDS: readonly ManagementCommand[] = [
  {
    name: 'apps add',
    request: 'apps.add',
    summary: 'create an application with its own bind DN and secret',
    usage: `apps add NAME (--everyone | --group G… | --team T:LEVEL… | --nobody) [--description TEXT] [--cidr C]…\n\nNAME: letters, digits, "." and "-". Admins and owners always have access.\n\n${ACCESS_USAGE}`,
    options: { ...ACCESS_OPTIONS, description: { type: 'string' } },
    positionals: ['NAME'],
    fieldFlags: { name: 'NAME', description: '--description', access: '--group/--team/--everyone', allowedCidrs: '--cidr' },
    toArgs: async (values, [name]) => {
      const cidrs = list(values.cidr);
      return { name, description: str(values.description), access: accessOf(values), ...(cidrs.length > 0 ? { allowedCidrs: cidrs } : {}) };
    },
    render: printSecret('created'),
  },
  {
    name: 'apps list',
    request: 'apps.list',
    summary: 'list applications and who has access',
    usage: 'apps list [--json]\n\n  --json   print a JSON array instead of a table',
    options: { json: { type: 'boolean' } },
    positionals: [],
    toArgs: async () => ({}),
    render(result, values, io) {
      const apps = result as AppSummary[];
      if (values.json === true) return void io.stdout.write(`${JSON.stringify(apps, null, 2)}\n`);
      io.stdout.write(renderTable(['NAME', 'ACCESS', 'BIND DN'], apps.map((a) => [a.name, describeAccess(a), a.bindDn])));
    },
  },
  {
    name: 'apps show',
    request: 'apps.show',
    summary: 'show an application and the users who have access, with why',
    usage: 'apps show NAME [--json]',
    options: { json: { type: 'boolean' } },
    positionals: ['NAME'],
    toArgs: async (_values, [name]) => ({ name }),
    render(result, values, io) {
      const { app, users } = result as { app: AppSummary; users: AppUser[] };
      if (values.json === true) return void io.stdout.write(`${JSON.stringify({ app, users }, null, 2)}\n`);
      io.stdout.write(`${app.name}${app.description === '' ? '' : ` — ${app.description}`}\n  bind DN: ${app.bindDn}\n  base DN: ${app.baseDn}\n  access:  ${describeAccess(app)} (admins and owners always)\n  allowed sources: ${app.allowedCidrs.length === 0 ? 'anywhere' : app.allowedCidrs.join(', ')}\n\n`);
      io.stdout.write(renderTable(['USERNAME', 'EMAIL', 'WHY'], users.map((u) => [u.username, u.email, u.reason === 'group' ? `group ${(u.groups ?? []).join(',')}` : u.reason === 'team' ? `team ${(u.teams ?? []).join(',')}` : u.reason])));
    },
  },
  {
    name: 'apps set-access',
    request: 'apps.set-access',
    summary: "replace an application's access rule",
    usage: `apps set-access NAME (--everyone | --group G… | --team T:LEVEL… | --nobody) [--cidr C]…\n\n${ACCESS_USAGE}`,
    options: ACCESS_OPTIONS,
    positionals: ['NAME'],
    fieldFlags: { name: 'NAME', access: '--group/--team/--everyone', allowedCidrs: '--cidr' },
    toArgs: async (values, [name]) => {
      const cidrs = list(values.cidr);
      return { name, access: accessOf(values), ...(cidrs.length > 0 ? { allowedCidrs: cidrs } : {}) };
    },
    render(result, _values, io) {
      const app = result as AppSummary;
      io.stdout.write(`access of ${app.name}: ${describeAccess(app)}\n`);
    },
  },
  {
    name: 'apps rotate',
    request: 'apps.rotate',
    summary: "replace an application's secret (the old one stops working at once)",
    usage: 'apps rotate NAME',
    options: {},
    positionals: ['NAME'],
    toArgs: async (_values, [name]) => ({ name }),
    render: printSecret('new secret for'),
  },
  {
    name: 'apps delete',
    request: 'apps.delete',
    summary: 'delete an application',
    usage: 'apps delete NAME',
    options: {},
    positionals: ['NAME'],
    toArgs: async (_values, [name]) => ({ name }),
    render(result, _values, io) {
      io.stdout.write(`deleted application ${(result as AppSummary).name}\n`);
    },
  },
];
