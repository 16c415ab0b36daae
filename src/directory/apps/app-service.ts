import { actorLabel, type Actor } from '../../domain/actor.js';
import type { Application } from '../../domain/application.js';
import { normalizeDescription } from '../../domain/description.js';
import { conflict, invalid, notFound } from '../../domain/errors.js';
import { normalizeName } from '../../domain/name-syntax.js';
import type { PasswordHasher } from '../../crypto/password-hasher.js';
import type { Store, StoreReader } from '../../store/store.js';
import { generateSecret } from '../auth/admin-secret.js';
import { findByIdOrName } from '../id-or-name.js';
import { checkAccessShape, checkCidrs, resolveAccess } from './app-input.js';
import { appUsers, type AppUser } from './app-users.js';
import type { UserListing } from '../users/user-listing.js';

export interface AppInput {
  readonly name: string;
  readonly description?: string | null | undefined;
  readonly access: unknown;
  readonly allowedCidrs?: readonly string[] | undefined;
}
export interface AppChanges {
  readonly name?: string | undefined;
  readonly description?: string | null | undefined;
  readonly access?: unknown;
  readonly allowedCidrs?: readonly string[] | undefined;
}

/** What the audit log keeps of an app: never the secret's hash. */
const audited = (a: Application): Record<string, unknown> => ({
  id: a.id,
  name: a.name,
  description: a.description,
  allowedCidrs: [...a.allowedCidrs],
  access: { everyone: a.access.everyone, groups: [...a.access.groups], teams: a.access.teams.map((t) => ({ ...t })) },
});

const appName = (input: unknown): string => normalizeName(input, 'application name', 'name');

export async function resolveApp(reader: StoreReader, ref: string): Promise<Application> {
  if (typeof ref !== 'string' || ref.trim() === '') throw invalid('name the application by id or name', 'app');
  const app = await findByIdOrName(ref.trim(), { byId: (id) => reader.getApp(id), byName: (name) => reader.findAppByName(name) });
  if (app === undefined) throw notFound(`no application "${ref.trim()}"`);
  return app;
}

export type AppService = ReturnType<typeof createAppService>;

/**
 * Application use cases (issue 16): one transaction each, with its audit entry. The secret is
 * generated here (256 bits), stored as a bcrypt hash like service accounts' (binds verify it with
 * the same hasher) and returned only by create and rotate. Unchecked: callers get these through
 * app-access-services.ts, which asks may() first.
 */
export function createAppService(store: Store, hasher: PasswordHasher, listing?: UserListing) {
  return {
    list: (): Promise<Application[]> => store.listApps(),
    get: (ref: string): Promise<Application> => resolveApp(store, ref),
    users: async (ref: string): Promise<{ app: Application; users: AppUser[] }> => {
      const app = await resolveApp(store, ref);
      return { app, users: await appUsers(store, app, listing) };
    },

    async create(input: AppInput, actor: Actor): Promise<{ app: Application; secret: string }> {
      const name = appName(input.name);
      const description = normalizeDescription(input.description);
      const shape = checkAccessShape(input.access);
      const allowedCidrs = checkCidrs(input.allowedCidrs) ?? [];
      const secret = generateSecret();
      const secretHash = await hasher.hash(secret);
      const app = await store.write(async (tx) => {
        if ((await tx.findAppByName(name)) !== undefined) throw conflict(`application "${name}" already exists`, 'name');
        const access = await resolveAccess(tx, shape);
        const created = await tx.insertApp({ name, description, secretHash, allowedCidrs, access });
        await tx.appendAudit({ actor: actorLabel(actor), action: 'app.create', target: created.id, details: { after: audited(created) } });
        return created;
      });
      return { app, secret };
    },

    async update(ref: string, changes: AppChanges, actor: Actor): Promise<Application> {
      const name = changes.name === undefined ? undefined : appName(changes.name);
      const description = changes.description === undefined ? undefined : normalizeDescription(changes.description);
      const shape = changes.access === undefined ? undefined : checkAccessShape(changes.access);
      const allowedCidrs = checkCidrs(changes.allowedCidrs);
      return store.write(async (tx) => {
        const before = await resolveApp(tx, ref);
        if (name !== undefined && name !== before.name) {
          const other = await tx.findAppByName(name);
          if (other !== undefined && other.id !== before.id) throw conflict(`application "${name}" already exists`, 'name');
        }
        const access = shape === undefined ? undefined : await resolveAccess(tx, shape);
        const patch = { ...(name === undefined ? {} : { name }), ...(description === undefined ? {} : { description }), ...(access === undefined ? {} : { access }), ...(allowedCidrs === undefined ? {} : { allowedCidrs }) };
        const after = await tx.updateApp(before.id, patch);
        await tx.appendAudit({ actor: actorLabel(actor), action: 'app.update', target: before.id, details: { before: audited(before), after: audited(after) } });
        return after;
      });
    },

    async rotate(ref: string, actor: Actor): Promise<{ app: Application; secret: string }> {
      const secret = generateSecret();
      const secretHash = await hasher.hash(secret);
      const app = await store.write(async (tx) => {
        const current = await resolveApp(tx, ref);
        const updated = await tx.updateApp(current.id, { secretHash });
        await tx.appendAudit({ actor: actorLabel(actor), action: 'app.rotateSecret', target: current.id, details: { app: current.name } });
        return updated;
      });
      return { app, secret };
    },

    async remove(ref: string, actor: Actor): Promise<Application> {
      return store.write(async (tx) => {
        const app = await resolveApp(tx, ref);
        await tx.deleteApp(app.id);
        await tx.appendAudit({ actor: actorLabel(actor), action: 'app.delete', target: app.id, details: { before: audited(app) } });
        return app;
      });
    },
  };
}
