import type { ApiContext } from '../api-context.js';
import type { AnyRoute } from '../route.js';
import { authRoutes } from './auth-routes.js';
import { healthRoutes } from './health-routes.js';

/** Every route, in match order (literal paths such as /users/export before /users/:id). */
export function apiRoutes(api: ApiContext): AnyRoute[] {
  const routes: AnyRoute[] = [];
  routes.push(...healthRoutes(api, () => routes), ...authRoutes(api));
  return routes;
}
