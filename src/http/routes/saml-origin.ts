import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

/** Whether the browser reached this listener over TLS (the session cookie is then Secure). */
export const isTls = (req: IncomingMessage): boolean => (req.socket as TLSSocket).encrypted === true;

/**
 * The origin the browser used, for SAML addresses when no `baseUrl` is set. Set `baseUrl` behind a
 * proxy or on a public address (docs/sso.md): the Host header is the client's to choose.
 */
export function requestOrigin(req: IncomingMessage): string {
  const host = (req.headers.host ?? 'localhost').replace(/[^A-Za-z0-9.:[\]-]/g, '');
  return `${isTls(req) ? 'https' : 'http'}://${host}`;
}
