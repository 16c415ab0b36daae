import type { AuthThrottleConfig } from '../config/schema.js';
import type { AuthThrottleOptions } from '../directory/auth/auth-throttle.js';

type Limits = Pick<AuthThrottleOptions, 'maxFailures' | 'windowMs' | 'cooldownMs' | 'maxPendingPerSource' | 'maxPending'>;

/** The YAML `auth_throttle` section as the throttle's options: the main thread and every LDAP worker read it the same way. */
export function throttleLimits(config: AuthThrottleConfig): Limits {
  return {
    maxFailures: config.max_failures,
    windowMs: config.window,
    cooldownMs: config.cooldown,
    maxPendingPerSource: config.max_pending_per_source,
    maxPending: config.max_pending,
  };
}
