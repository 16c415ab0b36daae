import type { Application } from '../../domain/application.js';
import type { User } from '../../domain/model.js';
import { hasAppAccess } from './app-access.js';
import { appBindDn, appPlace } from './app-dit.js';
import { rebaseFor } from './app-entries.js';
import type { DirectoryState } from './directory-state.js';
import { plainUser } from './user-record.js';
import { userByRdn } from './dn-resolver.js';

/**
 * Who a bind DN under `ou=apps,<suffix>` names (issue 16). `app` undefined: no such application.
 * A user bind names the user by the first RDN exactly as under ou=users (DESIGN §4); `allowed`
 * says whether that user has access to the app. Secrets stay on the records.
 */
export type AppBindTarget =
  | { readonly kind: 'app'; readonly name: string; readonly app: Application | undefined; readonly dn: string }
  | {
      readonly kind: 'user';
      readonly name: string;
      readonly app: Application | undefined;
      readonly user: User | undefined;
      /** The user's entry DN in the global tree and in the app's view. */
      readonly globalDn: string | undefined;
      readonly viewDn: string | undefined;
      readonly allowed: boolean;
      readonly totpToken: string | undefined;
    }
  /** Anything else under ou=apps: binds as nobody. */
  | { readonly kind: 'nothing'; readonly name: string | undefined; readonly app: Application | undefined };

/** undefined: the DN is not under ou=apps (the ordinary bind resolution applies). */
export function resolveAppBindTarget(state: DirectoryState, dn: string): AppBindTarget | undefined {
  const place = appPlace(state, dn);
  if (place === undefined) return undefined;
  if (place.kind === 'bind') return { kind: 'app', name: place.name, app: place.app, dn: appBindDn(state.dit, place.name) };
  if (place.kind !== 'user') return { kind: 'nothing', name: 'name' in place ? place.name : undefined, app: 'app' in place ? place.app : undefined };
  const { app } = place;
  const { entry, totpToken } = userByRdn(state, place.rdn);
  const user = entry === undefined ? undefined : state.records.users.get(entry.id);
  const allowed = app !== undefined && user !== undefined && hasAppAccess(state, app, user);
  const viewDn = app !== undefined && entry !== undefined ? rebaseFor(state.dit, app).dn(entry.dn) : undefined;
  // A plain copy: the target may be cloned to the main thread (user-record.ts).
  return { kind: 'user', name: place.name, app, user: user === undefined ? undefined : plainUser(user), globalDn: entry?.dn, viewDn, allowed, totpToken };
}
