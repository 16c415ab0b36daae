import { withCurrentPassword } from '../../directory/auth/current-password.js';
import type { ApiContext } from '../api-context.js';
import type { Caller } from '../route.js';

/**
 * A stolen session must not become a password oracle: wrong current passwords (profile password
 * change, self 2FA disable) count like failed logins — the credentials pipeline's
 * directory/auth/current-password.ts, under the account's one throttle key (DESIGN §4).
 */
export function passwordThrottled<T>(api: ApiContext, caller: Caller, ip: string, wrong: string, change: () => Promise<T>): Promise<T> {
  return withCurrentPassword(api.throttle, caller.user.id, ip, wrong, change);
}
