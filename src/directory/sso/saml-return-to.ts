/**
 * Where to go after sign-in (`GET /saml/login?returnTo=`, carried through the IdP as RelayState):
 * a path on this server only, so pgdir never becomes an open redirector (OWASP "Unvalidated
 * Redirects"). `//host` and `/\host` are other hosts to browsers, so they are refused too.
 */
export function safeReturnTo(input: unknown): string {
  if (typeof input !== 'string' || input === '' || input.length > 1000) return '/';
  if (!input.startsWith('/') || input.startsWith('//') || input.startsWith('/\\')) return '/';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(input)) return '/';
  try {
    const resolved = new URL(input, 'http://pgdir.invalid');
    return resolved.host === 'pgdir.invalid' ? `${resolved.pathname}${resolved.search}${resolved.hash}` : '/';
  } catch {
    return '/';
  }
}

/** Whether `input` is acceptable as given (the login route answers 400 otherwise). */
export const isSafeReturnTo = (input: string): boolean => safeReturnTo(input) === input;
