import type { ConsoleFeature } from './console-feature.js';
import { accountFeature } from './pages/account-pages.js';
import { firstRunFeature } from './pages/first-run-page.js';
import { groupsFeature } from './pages/groups-feature.js';
import { signInFeature } from './pages/sign-in-pages.js';
import { usersFeature } from './pages/users-feature.js';
import { auditFeature } from './pages/audit-page.js';
import { directoryServerFeature } from './pages/directory-server-page.js';
import { externalDirectoryFeature } from './pages/external-directory-page.js';
import { profileFeature } from './pages/profile-page.js';
import { serviceAccountsFeature } from './pages/service-accounts-page.js';
import { smtpFeature } from './pages/smtp-page.js';
import { userSettingsFeature } from './pages/user-settings-page.js';
import { teamsFeature } from './pages/teams-pages.js';
import { organizationGrantsFeature } from './pages/organization-grants-page.js';
import { appPasswordsFeature } from './pages/app-passwords-page.js';
import { appsFeature } from './pages/apps-pages.js';
import { ssoFeature } from './pages/sso-pages.js';
import { registrationDomainsFeature } from './pages/registration-domains-page.js';

/**
 * Every console feature, one line each: a new feature (settings, audit log, profile, teams, SSO,
 * app passwords, applications) adds its line here and brings its own pages and nav entries.
 */
export const CONSOLE_FEATURES: readonly ConsoleFeature[] = [
  signInFeature,
  accountFeature,
  firstRunFeature,
  usersFeature,
  groupsFeature,
  directoryServerFeature,
  userSettingsFeature,
  smtpFeature,
  serviceAccountsFeature,
  externalDirectoryFeature,
  auditFeature,
  profileFeature,
  teamsFeature,
  organizationGrantsFeature,
  appPasswordsFeature,
  appsFeature,
  ssoFeature,
  registrationDomainsFeature,
];
