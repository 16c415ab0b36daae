import { DirectoryError } from '../../domain/errors.js';
import type { AuthThrottle } from './auth-throttle.js';
import { userThrottleKey } from './throttle-key.js';

/**
 * The pipeline's door for a signed-in user proving their current password again (profile password
 * change, self 2FA disable): a stolen session must not become a password oracle. A wrong password
 * (`invalid` on field `password`, raised by `check`) counts like a failed sign-in under the
 * account's one throttle key (DESIGN §4); a throttled caller gets the same answer as for a wrong
 * password, after about the same time and without the hashing work.
 */
export async function withCurrentPassword<T>(throttle: AuthThrottle, userId: string, ip: string, wrong: string, check: () => Promise<T>): Promise<T> {
  const attempt = throttle.begin(ip);
  try {
    if (await attempt.check(userThrottleKey(userId))) {
      await attempt.stall();
      throw new DirectoryError('invalid', wrong, { field: 'password' });
    }
    const result = await check().catch(async (error: unknown) => {
      const wrongPassword = error instanceof DirectoryError && error.kind === 'invalid' && error.field === 'password';
      await (wrongPassword ? throttle.failed(attempt) : throttle.abandoned(attempt));
      throw error;
    });
    await throttle.succeeded(attempt);
    return result;
  } finally {
    attempt.end();
  }
}
