import type { IncomingMessage } from 'node:http';

/**
 * The browser's session: the same session token `POST /api/v1/auth/login` returns (issueSession),
 * carried in one cookie instead of an Authorization header. Every browser sign-in (the console's
 * password form, SAML, OpenID Connect) ends by setting it; state-changing requests that are
 * authenticated by it must also carry the CSRF token (the console checks that).
 *
 * RFC 6265bis: HttpOnly keeps scripts from reading it, SameSite=Strict keeps other sites' requests
 * from carrying it, Secure when the listener speaks HTTPS, Path=/ and no Domain so it stays on this
 * host. The `__Host-` prefix (RFC 6265bis §4.1.3.2) needs Secure, so it is used only on HTTPS.
 */
export const SESSION_COOKIE = 'pgdir_session';
const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;

export const sessionCookieName = (secure: boolean): string => (secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE);

/** The `Set-Cookie` value that starts a browser session ending at `expiresAt`. */
export function sessionCookie(token: string, expiresAt: Date, secure: boolean): string {
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000));
  return `${sessionCookieName(secure)}=${token}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** The `Set-Cookie` value that ends it (sign out). */
export const clearSessionCookie = (secure: boolean): string =>
  `${sessionCookieName(secure)}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;

/** The cookies of a request (RFC 6265 §5.4: `name=value` pairs separated by `; `). */
export function cookiesOf(req: IncomingMessage): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!cookies.has(name)) cookies.set(name, part.slice(eq + 1).trim());
  }
  return cookies;
}

/** The session token a browser sent, if any (either cookie spelling). */
export function sessionTokenOf(req: IncomingMessage): string | undefined {
  const cookies = cookiesOf(req);
  const token = cookies.get(SECURE_SESSION_COOKIE) ?? cookies.get(SESSION_COOKIE);
  return token === undefined || token === '' ? undefined : token;
}
