import { actorLabel, type Actor } from '../../domain/actor.js';
import { normalizeDisplayName } from '../../domain/display-name.js';
import { conflict, DirectoryError, invalid, notFound } from '../../domain/errors.js';
import { assertMay } from '../../domain/permissions.js';
import type { AppPassword } from '../../store/app-password-store.js';
import type { Store } from '../../store/store.js';
import { resolveUserFor } from '../users/user-ref.js';
import type { AppPasswordCheck } from './app-password-credential.js';
import { appPasswordLetters, hashAppPassword, newAppPassword } from './app-password-secret.js';

export type { AppPassword } from '../../store/app-password-store.js';

/** Enough for every device and program of one person; more is a sign of a leak in progress. */
export const MAX_APP_PASSWORDS = 50;
const MAX_NAME = 100;
/** How often one app password's last-used time is written (per process; the SQL also guards across replicas). */
const TOUCH_EVERY_MS = 60_000;

export interface AppPasswords extends AppPasswordCheck {
  /** A new app password of the signed-in user; `password` is shown once and never stored. */
  create(actor: Actor, name: unknown, ip: string | null): Promise<{ readonly record: AppPassword; readonly password: string }>;
  /** The app passwords of a user (by id, username or email): their own, or anyone's for an admin. */
  list(ref: string, actor: Actor): Promise<AppPassword[]>;
  /** Revokes one at once: the next bind with it fails, on every replica (binds look it up each time). */
  revoke(ref: string, id: string, actor: Actor, ip: string | null): Promise<AppPassword>;
}

function appPasswordName(input: unknown): string {
  const name = normalizeDisplayName(input, 'name');
  if (name === '') throw invalid('name the app password after where it is used (e.g. "laptop mail")', 'name');
  if ([...name].length > MAX_NAME) throw invalid(`name must be at most ${MAX_NAME} characters`, 'name');
  return name;
}

/** App passwords (issue 14): the use cases (one transaction each, audited) and the bind check. */
export function createAppPasswords(store: Store, now: () => number = Date.now): AppPasswords {
  const touched = new Map<string, number>();

  return {
    async create(actor, input, ip) {
      if (actor.kind !== 'user') throw new DirectoryError('forbidden', 'app passwords belong to a signed-in user');
      assertMay(actor, 'user.appPasswords.revoke', { id: actor.id }); // a read-only token cannot make one
      const name = appPasswordName(input);
      if ((await store.appPasswords.list(actor.id)).length >= MAX_APP_PASSWORDS) {
        throw conflict(`you have ${MAX_APP_PASSWORDS} app passwords already: revoke one you no longer use`);
      }
      const password = newAppPassword();
      const secretHash = hashAppPassword(appPasswordLetters(password) ?? '');
      const record = await store.write(async (tx) => {
        const row = await tx.appPasswords.insert({ userId: actor.id, name, secretHash });
        await tx.appendAudit({ actor: actor.id, action: 'app_password.create', target: actor.id, ip, details: { id: row.id, name } });
        return row;
      });
      return { record, password };
    },
    async list(ref, actor) {
      const user = await resolveUserFor(store, ref, actor);
      assertMay(actor, 'user.appPasswords.read', { id: user.id, role: user.role });
      return store.appPasswords.list(user.id);
    },
    async revoke(ref, id, actor, ip) {
      const user = await resolveUserFor(store, ref, actor);
      assertMay(actor, 'user.appPasswords.revoke', { id: user.id, role: user.role });
      const removed = await store.write(async (tx) => {
        const row = await tx.appPasswords.delete(id, user.id);
        if (row === undefined) throw notFound(`no app password "${id}"`);
        await tx.appendAudit({ actor: actorLabel(actor), action: 'app_password.revoke', target: user.id, ip, details: { id, name: row.name } });
        return row;
      });
      touched.delete(id);
      return removed;
    },
    async lookup(secret) {
      const letters = appPasswordLetters(secret);
      return letters === undefined ? undefined : store.appPasswords.findByHash(hashAppPassword(letters));
    },
    used(id) {
      const at = now();
      if (at - (touched.get(id) ?? -Infinity) < TOUCH_EVERY_MS) return;
      if (touched.size >= 10_000) touched.clear(); // bounded; a forgotten entry costs one guarded UPDATE
      touched.set(id, at);
      // Not awaited: a bind does not wait for the stamp, and a failed stamp must not fail the bind.
      store.appPasswords.touch(id).catch(() => touched.delete(id));
    },
  };
}
