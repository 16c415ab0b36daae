import type { Store } from '../store/store.js';

/**
 * Deletes the sessions and tokens of users who were just disabled, as their change is announced.
 * Requests already refuse such tokens (authenticate.ts checks the user on every call); deleting
 * them as well keeps them dead if the user is enabled again later (DESIGN §7: sessions end).
 */
export function endSessionsOfDisabledUsers(
  store: Store,
  feed: { subscribe(listener: (revision: number) => void): () => void },
  logger: { warn(obj: object, msg?: string): void },
): () => void {
  let seen: number | undefined;
  let running = Promise.resolve();
  const catchUp = async (): Promise<void> => {
    seen ??= await store.revision();
    for (;;) {
      const changes = await store.changesSince(seen, 500);
      if (changes.length === 0) return;
      seen = changes[changes.length - 1]?.revision ?? seen;
      const userIds = new Set(changes.filter((c) => c.kind === 'user' && c.op === 'upsert').map((c) => c.key));
      for (const id of userIds) {
        const user = await store.getUser(id);
        if (user !== undefined && !user.active) {
          await store.apiTokens.deleteForUser(id);
          // Reset, invite and impersonation links die with the deactivation too (DESIGN §7).
          await store.lifecycle.deleteTokens(id, ['reset', 'invite', 'impersonation']);
        }
      }
    }
  };
  const start = store.revision().then((r) => void (seen ??= r));
  running = start.catch(() => undefined);
  return feed.subscribe(() => {
    running = running.then(catchUp).catch((err: unknown) => logger.warn({ err }, 'could not end the sessions of disabled users'));
  });
}
