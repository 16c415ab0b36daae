import { escapeHtml } from '../../../domain/escape-html.js';
import { may } from '../../../domain/permissions.js';
import type { NavEntry } from '../console-feature.js';
import { facts } from './admin-kit.js';
import { t, type MessageKey } from '../messages.js';

/**
 * The sign-in pages' own tabs (single sign-on, allowed domains) and their one navigation entry.
 * They are not under the settings tabs: organisation admins, who may not read the other settings,
 * use them too (sso.read / sso.write with level 'org' in may()).
 */
export const SSO_PATH = '/settings/sso';
export const DOMAINS_PATH = '/settings/allowed-domains';

const TABS: readonly (readonly [string, MessageKey])[] = [
  [SSO_PATH, 'sso.tabSso'],
  [DOMAINS_PATH, 'sso.tabDomains'],
];

export function ssoTabs(current: string): string {
  const links = TABS.map(([href, label]) => `<li><a href="${href}"${href === current ? ' aria-current="page"' : ''}>${escapeHtml(t(label))}</a></li>`).join('');
  return `<nav class="tabs" aria-label="${escapeHtml(t('sso.tabs'))}"><ul>${links}</ul></nav>`;
}

/**
 * The nav decides from the role alone (it has no store to read levels from): admins and owners
 * see the entry; organisation admins reach the pages from "My teams and permissions" on their
 * profile. The pages' use cases decide from the levels either way.
 */
export const ssoNav: NavEntry = { href: SSO_PATH, label: t('sso.nav'), order: 55, visible: (actor) => may(actor, 'sso.read').allowed };

/** `facts` whose labels may wrap on a phone (long labels such as the ACS URL's would push the page sideways). */
export const stackedFacts = (rows: readonly (readonly [string, string])[]): string => facts(rows).replace('<dl class="facts">', '<dl class="facts stack">');
