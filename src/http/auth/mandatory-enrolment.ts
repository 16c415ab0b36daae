import type { IncomingMessage } from 'node:http';
import { DirectoryError } from '../../domain/errors.js';
import type { StoreReader } from '../../store/store.js';
import type { Caller } from '../route.js';
import { readSettings, userDirectorySection, type PinnedSettings } from '../../directory/settings/directory-settings.js';

/** What a user without 2FA may still do while 2FA is mandatory: look at themselves, enrol, leave. */
const ENROLMENT_PATHS = new Set(['/api/v1/profile', '/api/v1/profile/2fa/secret', '/api/v1/profile/2fa/enable', '/api/v1/auth/logout', '/two-factor', '/sign-out']);

export async function mustEnroll2fa(store: StoreReader, pinned: PinnedSettings, user: { totpEnabled: boolean }): Promise<boolean> {
  if (user.totpEnabled) return false;
  return (await readSettings(store, userDirectorySection(pinned))).values.mandatory2fa;
}

/**
 * Mandatory 2FA (DESIGN §7): switching it on ended the sessions of users without 2FA; when they
 * sign in again, every route but enrolment answers 403 until they have enrolled.
 */
export function requireEnrolment(
  authenticate: (req: IncomingMessage) => Promise<Caller>,
  store: StoreReader,
  pinned: PinnedSettings,
): (req: IncomingMessage) => Promise<Caller> {
  return async (req) => {
    const caller = await authenticate(req);
    if (!(await mustEnroll2fa(store, pinned, caller.user))) return caller;
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (ENROLMENT_PATHS.has(path)) return caller;
    throw new DirectoryError('forbidden', 'two-factor authentication is mandatory: enrol first (POST /api/v1/profile/2fa/secret, then /enable)', { field: 'mustEnroll2fa' });
  };
}
