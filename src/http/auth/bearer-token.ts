import type { IncomingMessage } from 'node:http';

// Made and hashed in crypto/ (the directory's token use cases need them too).
export { hashBearerToken, newBearerToken } from '../../crypto/bearer-token.js';

/** The token of `Authorization: Bearer <token>` (scheme case-insensitive, RFC 6750 §2.1). */
export function bearerOf(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(header);
  return match?.[1];
}
