import { DirectoryError } from '../../domain/errors.js';
import { userThrottleKey } from '../../directory/throttle-key.js';
import type { ApiContext } from '../api-context.js';
import type { Caller } from '../route.js';

/**
 * A stolen session must not become a password oracle: wrong current passwords (profile password
 * change, self 2FA disable) count like failed logins, under the account's one throttle key
 * (DESIGN §4), and a throttled caller gets the same answer as for a wrong password after the same
 * bcrypt work.
 */
export async function passwordThrottled<T>(api: ApiContext, caller: Caller, ip: string, wrong: string, change: () => Promise<T>): Promise<T> {
  const account = userThrottleKey(caller.user.id);
  const { blocked, failures } = await api.throttle.check(ip, account);
  if (blocked) {
    await api.directory.hasher.verify('', undefined);
    throw new DirectoryError('invalid', wrong, { field: 'password' });
  }
  try {
    const result = await change();
    await api.throttle.succeeded(ip, account, failures);
    return result;
  } catch (error) {
    if (error instanceof DirectoryError && error.kind === 'invalid' && error.field === 'password') await api.throttle.failed(ip, account);
    throw error;
  }
}
