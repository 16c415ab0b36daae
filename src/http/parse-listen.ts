import { parseHostPort } from '../config/scalars.js';

/** `host:port` or `[v6]:port` (the config schema already checked it; this is for direct callers). */
export function parseListen(listen: string): { host: string; port: number } {
  const parsed = parseHostPort(listen);
  if (parsed === undefined) throw new Error(`http.listen "${listen}" must be host:port, e.g. 127.0.0.1:8080`);
  return parsed;
}
