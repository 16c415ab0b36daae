import type { ConsoleFeature } from './console-feature.js';
import { accountFeature } from './pages/account-pages.js';
import { firstRunFeature } from './pages/first-run-page.js';
import { groupsFeature } from './pages/groups-feature.js';
import { signInFeature } from './pages/sign-in-pages.js';
import { usersFeature } from './pages/users-feature.js';

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
];
