import type { Store } from '../../store/store.js';
import { loginThrottleKey, userThrottleKey } from './throttle-key.js';
import type { ResolvedAccount } from './account.js';

/**
 * Step 2 for an API login (DESIGN §8): the identifier is a username or an email (case and
 * surrounding spaces ignored). Unknown identifiers keep their name for auto-create (DESIGN §9) and
 * are throttled under the key an LDAP bind with that name uses (throttle-key.ts).
 */
export async function resolveLoginAccount(store: Store, identifier: string): Promise<ResolvedAccount> {
  const key = identifier.trim().toLowerCase();
  const user = key === '' ? undefined : key.includes('@') ? await store.findUserByEmail(key) : await store.findUserByUsername(key);
  if (user !== undefined) return { account: { kind: 'user', user }, throttleKey: userThrottleKey(user.id) };
  return { account: { kind: 'unknown', login: identifier.trim() === '' ? undefined : identifier }, throttleKey: loginThrottleKey(identifier) };
}
