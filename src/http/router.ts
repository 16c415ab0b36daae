import { HttpError } from './http-error.js';
import { NAME_ALIASES } from './name-aliases.js';
import type { AnyRoute, Method } from './route.js';

interface Compiled {
  readonly route: AnyRoute;
  readonly pattern: RegExp;
  readonly names: readonly string[];
  /** Set when `pattern` is a deprecated spelling of `route.path`. */
  readonly deprecated: boolean;
}

export interface Match {
  readonly route: AnyRoute;
  readonly params: Record<string, string>;
  /** The request used a deprecated path: the path to use instead, with this request's params. */
  readonly successor?: string;
}

/**
 * Matches method and path; unknown paths are 404, known paths with another method 405 + Allow.
 * A deprecated path (name-aliases.ts) matches the route of its current path.
 */
export function createRouter(routes: readonly AnyRoute[], aliases: Readonly<Record<string, string>> = NAME_ALIASES.paths): (method: string, path: string) => Match {
  const compiled: Compiled[] = [...routes.map((route) => compile(route, route.path, false)), ...compileAliases(routes, aliases)];
  return (method, path) => {
    const allowed: Method[] = [];
    for (const { route, pattern, names, deprecated } of compiled) {
      const m = pattern.exec(path);
      if (m === null) continue;
      if (route.method !== method && !(method === 'HEAD' && route.method === 'GET')) {
        if (!allowed.includes(route.method)) allowed.push(route.method);
        continue;
      }
      const params = Object.fromEntries(names.map((n, i) => [n, decodeSegment(m[i + 1] ?? '')]));
      return deprecated ? { route, params, successor: fill(route.path, params) } : { route, params };
    }
    if (allowed.length > 0) {
      throw new HttpError(405, 'method_not_allowed', `${method} is not allowed here; use ${allowed.join(', ')}`, {
        headers: { allow: allowed.join(', ') },
      });
    }
    throw new HttpError(404, 'not_found', `no such endpoint: ${path}`);
  };
}

function compile(route: AnyRoute, path: string, deprecated: boolean): Compiled {
  const names: string[] = [];
  const source = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:([a-zA-Z]+)/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { route, pattern: new RegExp(`^${source}$`), names, deprecated };
}

/** Every route of a current path also answers its deprecated spelling; an alias to no route is a bug. */
function compileAliases(routes: readonly AnyRoute[], aliases: Readonly<Record<string, string>>): Compiled[] {
  return Object.entries(aliases).flatMap(([old, current]) => {
    const targets = routes.filter((r) => r.path === current);
    if (targets.length === 0) throw new Error(`the path alias ${old} names no route (${current})`);
    return targets.map((route) => compile(route, old, true));
  });
}

const fill = (path: string, params: Record<string, string>): string =>
  path.replace(/:([a-zA-Z]+)/g, (_m, name: string) => encodeURIComponent(params[name] ?? ''));

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'invalid', 'the path contains a malformed escape sequence');
  }
}
