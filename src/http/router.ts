import { HttpError } from './http-error.js';
import type { AnyRoute, Method } from './route.js';

interface Compiled {
  readonly route: AnyRoute;
  readonly pattern: RegExp;
  readonly names: readonly string[];
}

export interface Match {
  readonly route: AnyRoute;
  readonly params: Record<string, string>;
}

/** Matches method and path; unknown paths are 404, known paths with another method 405 + Allow. */
export function createRouter(routes: readonly AnyRoute[]): (method: string, path: string) => Match {
  const compiled: Compiled[] = routes.map((route) => {
    const names: string[] = [];
    const source = route.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:([a-zA-Z]+)/g, (_m, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    return { route, pattern: new RegExp(`^${source}$`), names };
  });
  return (method, path) => {
    const allowed: Method[] = [];
    for (const { route, pattern, names } of compiled) {
      const m = pattern.exec(path);
      if (m === null) continue;
      if (route.method !== method && !(method === 'HEAD' && route.method === 'GET')) {
        if (!allowed.includes(route.method)) allowed.push(route.method);
        continue;
      }
      const params = Object.fromEntries(names.map((n, i) => [n, decodeSegment(m[i + 1] ?? '')]));
      return { route, params };
    }
    if (allowed.length > 0) {
      throw new HttpError(405, 'method_not_allowed', `${method} is not allowed here; use ${allowed.join(', ')}`, {
        headers: { allow: allowed.join(', ') },
      });
    }
    throw new HttpError(404, 'not_found', `no such endpoint: ${path}`);
  };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'invalid', 'the path contains a malformed escape sequence');
  }
}
