import { actorLabel, type Actor } from '../domain/actor.js';
import { DirectoryError, invalid } from '../domain/errors.js';
import type { User } from '../domain/model.js';
import type { ProgressListener } from '../domain/progress.js';
import { applySecretRequest, saveAdminSecret } from '../directory/auth/admin-secret.js';
import type { DirectoryServices } from '../directory/directory-services.js';
import type { GroupWithMembers } from '../directory/groups/group-service.js';
import { readImportFileYielding } from '../directory/transfer/import-rows.js';
import { createBackup, writeBackup } from '../directory/backup/backup-file.js';
import { exportUsers } from '../directory/transfer/user-export.js';
import { importUsers } from '../directory/transfer/user-import.js';
import { connectorTest, syncRun, syncStatus, type ConnectorPort } from './connector-commands.js';
import { TEAM_HANDLERS } from './team-handlers.js';
import { APP_HANDLERS } from './app-command-handlers.js';
import { toAppPasswordSummary, toGroupSummary, toUserSummary, type GroupSummary, type UserSummary } from './summaries.js';

/** The CLI acts as the system actor named `cli` in the audit log (DESIGN §7: every power). */
export const SYSTEM_ACTOR_CLI: Actor = Object.freeze({ kind: 'system', name: 'cli' });

export interface CommandContext {
  readonly directory: DirectoryServices;
  readonly actor: Actor;
  /** The process's connector (app/ hands in the daemon's, or one for this CLI process). */
  readonly connector?: ConnectorPort | undefined;
  /** Progress of long commands (users.import, sync.run), when the caller shows it. */
  readonly onProgress?: ProgressListener | undefined;
}

type Args = Record<string, unknown>;
type Handler = (context: CommandContext, args: Args) => Promise<unknown>;

const str = (args: Args, key: string): string | undefined => (typeof args[key] === 'string' ? (args[key] as string) : undefined);
const oneOf = <T extends string>(args: Args, key: string, allowed: readonly T[], fallback: T): T => {
  const value = args[key] ?? fallback;
  if (!allowed.includes(value as T)) throw invalid(`${key} must be ${allowed.join(' or ')}`, key);
  return value as T;
};
const ref = (args: Args, key: string): string => {
  const value = args[key];
  if (typeof value !== 'string' || value.trim() === '') throw invalid(`${key} is required`, key);
  return value;
};

/**
 * Management commands, by control-request name. The same table runs in the daemon (requests from
 * the control socket) and in the CLI process (no daemon), so both give the same results and errors.
 * Validation happens in the use cases; this layer only picks arguments out of the request.
 */
const HANDLERS: Record<string, Handler> = {
  'users.add': async ({ directory, actor }, args) => {
    const input = { username: str(args, 'username'), email: args.email as string, name: str(args, 'name'), role: str(args, 'role'), password: str(args, 'password') };
    return toUserSummary(await directory.users.addUser(input, actor));
  },
  'users.list': async ({ directory, actor }): Promise<UserSummary[]> =>
    (await directory.users.listUsers({}, actor)).users.map(toUserSummary),
  'users.set-password': async ({ directory, actor }, args) =>
    toUserSummary(await directory.users.setPassword(ref(args, 'user'), ref(args, 'password'), actor)),
  'users.disable': async ({ directory, actor }, args) => toUserSummary(await directory.users.setActive(ref(args, 'user'), false, actor)),
  'users.enable': async ({ directory, actor }, args) => toUserSummary(await directory.users.setActive(ref(args, 'user'), true, actor)),
  'users.delete': async ({ directory, actor }, args) => toUserSummary(await directory.users.deleteUser(ref(args, 'user'), actor)),
  // The same code as GET /api/v1/users/export and POST /api/v1/users/import (src/directory/transfer).
  'users.export': ({ directory, actor }, args) => exportUsers(directory.store, actor, oneOf(args, 'format', ['csv', 'json'], 'csv')),
  'users.import': async ({ directory, actor, onProgress }, args) => {
    const format = oneOf(args, 'format', ['csv', 'json'], 'csv');
    const mode = oneOf(args, 'mode', ['atomic', 'partial'], 'atomic');
    if (typeof args.text !== 'string') throw invalid('the file contents are required', 'file');
    const records = await readImportFileYielding(format === 'csv' ? 'text/csv' : 'application/json', args.text);
    return importUsers(directory.store, actor, records, mode, { onProgress });
  },
  'groups.add': async ({ directory, actor }, args) => {
    const group = await directory.groups.addGroup({ name: args.name as string, description: str(args, 'description') ?? null }, actor);
    return summarizeGroup(directory, group);
  },
  'groups.list': async ({ directory, actor }): Promise<GroupSummary[]> => {
    const groups = await directory.groups.listGroups(actor);
    return Promise.all(groups.map((group) => summarizeGroup(directory, group)));
  },
  'groups.delete': async ({ directory, actor }, args) => summarizeGroup(directory, await directory.groups.deleteGroup(ref(args, 'name'), actor)),
  'groups.add-member': (context, args) => changeMembership(context, args, 'add'),
  'groups.remove-member': (context, args) => changeMembership(context, args, 'remove'),
  // `pgdir backup`: in the daemon when it runs (it owns the embedded store), else in the CLI.
  'store.backup': async ({ directory }, args) => writeBackup(ref(args, 'file'), await createBackup(directory.store, ref(args, 'dataDir'))),
  'users.owner-login': async ({ directory, actor }) => {
    const issued = await directory.lifecycle.temporary.ownerLogin(actor);
    return { username: issued.user.username ?? issued.user.email, password: issued.secret, expiresAt: issued.expiresAt.toISOString() };
  },
  // Issue 14: what GET/DELETE /api/v1/users/:id/app-passwords do, as the CLI's system actor.
  'users.app-passwords': async ({ directory, actor }, args) => (await directory.appPasswords.list(ref(args, 'user'), actor)).map(toAppPasswordSummary),
  'users.revoke-app-password': async ({ directory, actor }, args) =>
    toAppPasswordSummary(await directory.appPasswords.revoke(ref(args, 'user'), ref(args, 'id'), actor, null)),
  'sync.run': ({ connector, actor, onProgress }, args) => syncRun(need(connector), args, actorLabel(actor), onProgress),
  'sync.status': ({ connector }) => syncStatus(need(connector)),
  'connector.test': ({ connector }) => connectorTest(need(connector)),
  'directory.secret-set': async ({ directory, actor }, args) =>
    applySecretRequest(
      (secret) => saveAdminSecret(directory.store, secret, actor),
      args,
    ),
  ...TEAM_HANDLERS,
  ...APP_HANDLERS,
};

function need(connector: ConnectorPort | undefined): ConnectorPort {
  if (connector === undefined) throw new DirectoryError('unavailable', 'the external directory connector is not running in this process');
  return connector;
}

/** Reports whether membership actually changed, so the CLI can say "already a member". */
async function changeMembership({ directory, actor }: CommandContext, args: Args, change: 'add' | 'remove') {
  const before = await directory.groups.getGroup(ref(args, 'group'), actor);
  const user = await directory.users.getUser(ref(args, 'user'), actor);
  const after =
    change === 'add'
      ? await directory.groups.addMember(before.id, user.id, actor)
      : await directory.groups.removeMember(before.id, user.id, actor);
  const changed = before.memberIds.includes(user.id) !== after.memberIds.includes(user.id);
  return { group: after.name, user: user.username ?? user.email, changed };
}

export const MANAGEMENT_COMMANDS: readonly string[] = Object.keys(HANDLERS);

export async function executeCommand(context: CommandContext, command: string, args: Args): Promise<unknown> {
  const handler = Object.hasOwn(HANDLERS, command) ? HANDLERS[command] : undefined;
  if (handler === undefined) throw invalid(`unknown command "${command}"`);
  return handler(context, args);
}

async function summarizeGroup(directory: DirectoryServices, group: GroupWithMembers): Promise<GroupSummary> {
  const members = await Promise.all(group.memberIds.map((id) => directory.store.getUser(id)));
  return toGroupSummary(group, members.filter((u): u is User => u !== undefined));
}
