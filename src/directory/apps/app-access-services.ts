import type { Actor } from '../../domain/actor.js';
import { assertMay } from '../../domain/permissions.js';
import type { PasswordHasher } from '../../crypto/password-hasher.js';
import { canonicalDn } from '../../domain/dn.js';
import type { Store } from '../../store/store.js';
import { createAppService, type AppChanges, type AppInput } from './app-service.js';
import { summarizeApp, type AppSummary } from './app-summary.js';
import { appUserCounts, type AppUser } from './app-users.js';
import type { UserListing } from '../users/user-listing.js';

/** The application use cases as one actor may call them: each asks may() first (issue 16). */
export interface ActorApps {
  list(): Promise<AppSummary[]>;
  get(ref: string): Promise<AppSummary>;
  users(ref: string): Promise<{ app: AppSummary; users: AppUser[] }>;
  /** How many users have access to each application, by id; undefined when no in-memory view answers it. */
  userCounts(): Promise<Map<string, number> | undefined>;
  create(input: AppInput): Promise<{ app: AppSummary; secret: string }>;
  update(ref: string, changes: AppChanges): Promise<AppSummary>;
  rotate(ref: string): Promise<{ app: AppSummary; secret: string }>;
  remove(ref: string): Promise<AppSummary>;
}

export interface AppServices {
  as(actor: Actor): ActorApps;
}

export function createAppServices(store: Store, hasher: PasswordHasher, suffix: string, listing?: UserListing): AppServices {
  const apps = createAppService(store, hasher, listing);
  const dnSuffix = canonicalDn(suffix);
  const show = (app: Parameters<typeof summarizeApp>[2]) => summarizeApp(store, dnSuffix, app);
  return {
    as(actor) {
      const read = (): void => assertMay(actor, 'app.read');
      const manage = (): void => assertMay(actor, 'app.manage');
      return {
        async list() {
          read();
          return Promise.all((await apps.list()).map(show));
        },
        async get(ref) {
          read();
          return show(await apps.get(ref));
        },
        async users(ref) {
          read();
          const { app, users } = await apps.users(ref);
          return { app: await show(app), users };
        },
        async userCounts() {
          read();
          return listing === undefined ? undefined : appUserCounts(listing, await apps.list());
        },
        async create(input) {
          manage();
          const { app, secret } = await apps.create(input, actor);
          return { app: await show(app), secret };
        },
        async update(ref, changes) {
          manage();
          return show(await apps.update(ref, changes, actor));
        },
        async rotate(ref) {
          manage();
          const { app, secret } = await apps.rotate(ref, actor);
          return { app: await show(app), secret };
        },
        async remove(ref) {
          manage();
          return show(await apps.remove(ref, actor));
        },
      };
    },
  };
}
