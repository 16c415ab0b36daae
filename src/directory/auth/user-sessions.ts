import type { ApiToken } from '../../store/api-token-store.js';
import type { Store } from '../../store/store.js';

/**
 * A person's own sign-in sessions (the console's profile page): the list, and "sign out
 * everywhere else", which ends every other session of theirs (a lost laptop, a shared computer)
 * and keeps the one in use. API tokens for scripts are not sessions and stay. Only the caller's
 * own rows are touched (`delete(id, userId)`), and the change is audited.
 */
export function listSessions(store: Store, userId: string): Promise<ApiToken[]> {
  return store.apiTokens.list(userId, 'session');
}

export async function endOtherSessions(store: Store, userId: string, keepTokenId: string, ip: string): Promise<number> {
  const others = (await listSessions(store, userId)).filter((session) => session.id !== keepTokenId);
  let ended = 0;
  for (const session of others) if (await store.apiTokens.delete(session.id, userId)) ended++;
  await store.write((tx) => tx.appendAudit({ actor: userId, action: 'session.endOthers', target: userId, ip, details: { ended } }));
  return ended;
}
