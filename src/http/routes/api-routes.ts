import type { ApiContext } from '../api-context.js';
import { JobRegistry } from '../job-registry.js';
import type { AnyRoute } from '../route.js';
import { appRoutes } from './app-routes.js';
import { appPasswordRoutes } from './app-password-routes.js';
import { auditRoutes } from './audit-routes.js';
import { oidcRoutes } from './oidc-routes.js';
import { registerPage } from './register-page.js';
import { authRoutes } from './auth-routes.js';
import { groupRoutes } from './group-routes.js';
import { healthRoutes } from './health-routes.js';
import { jobRoutes } from './job-routes.js';
import { enrolPage } from './enrol-page.js';
import { lifecyclePages } from './lifecycle-pages.js';
import { lifecycleRoutes } from './lifecycle-routes.js';
import { profileRoutes } from './profile-routes.js';
import { registrationRoutes } from './registration-routes.js';
import { samlRoutes } from './saml-routes.js';
import { samlSettingsRoutes } from './saml-settings-routes.js';
import { serviceAccountRoutes } from './service-account-routes.js';
import { settingsRoutes } from './settings-routes.js';
import { smtpSettingsRoutes } from './smtp-settings-routes.js';
import { syncRoutes } from './sync-routes.js';
import { transferRoutes } from './transfer-routes.js';
import { twoFactorRoutes } from './two-factor-routes.js';
import { userRoutes } from './user-routes.js';
import { teamRoutes } from './team-routes.js';

/** Every route (the console's `pages` last), in match order (literal paths such as /users/export before /users/:id). */
export function apiRoutes(api: ApiContext, pages: readonly AnyRoute[] = []): AnyRoute[] {
  const routes: AnyRoute[] = [];
  const jobs = new JobRegistry(); // long imports and syncs run with ?async=1 (job-registry.ts)
  routes.push(
    ...healthRoutes(api, () => routes),
    ...authRoutes(api),
    ...transferRoutes(api, jobs),
    ...userRoutes(api),
    ...groupRoutes(api),
    ...teamRoutes(api),
    ...profileRoutes(api),
    ...appPasswordRoutes(api),
    ...oidcRoutes(api),
    ...registerPage(api),
    ...settingsRoutes(api),
    ...serviceAccountRoutes(api),
    ...appRoutes(api),
    ...auditRoutes(api),
    ...syncRoutes(api.connector, jobs),
    ...jobRoutes(jobs),
    ...lifecycleRoutes(api),
    ...twoFactorRoutes(api),
    ...lifecyclePages(api),
    ...enrolPage(api),
    ...smtpSettingsRoutes(api),
    ...registrationRoutes(api),
    ...samlSettingsRoutes(api),
    ...samlRoutes(api),
    ...pages, // the web console (src/http/console/)
  );
  return routes;
}
