import type { Client } from 'ldapts';
import { createSourceMirror, type JoinedSourceGroup } from '../directory/mirror/source-mirror.js';
import { normalizeDisplayName } from '../domain/display-name.js';
import { normalizeEmail } from '../domain/email.js';
import { DirectoryError } from '../domain/errors.js';
import { normalizeUsername } from '../domain/username.js';
import type { Store } from '../store/store.js';
import type { AutoCreateOutcome } from '../daemon/connector-port.js';
import type { ConnectorConfig } from './connector-config.js';
import { sourceAccepts } from './pass-through.js';
import { groupNameOf } from './plan-groups.js';
import { withSource } from './source-client.js';
import { escapeFilterValue, searchAll, toSourceGroup, toSourceUser, userAttributes, type SourceGroup, type SourceUser } from './source-entries.js';

/**
 * Auto-create on login (DESIGN §9): a username (or email) pgdir does not know, whose password the
 * source accepts, becomes a mirrored user on the spot — when `auto_create` is on and its email
 * domain is allowed — and joins the mirrored groups the source puts it in. Answers undefined for
 * every "no" (the caller then fails the login as for any unknown user).
 */

async function findSourceUser(client: Client, config: ConnectorConfig, login: string): Promise<SourceUser[]> {
  const byEmail = login.includes('@');
  const attribute = byEmail ? config.emailAttribute : config.usernameAttribute;
  const value = escapeFilterValue(login);
  // With username_strip_domain the source holds `alice@example.com` for the username `alice`.
  const assertion = !byEmail && config.usernameStripDomain ? `(|(${attribute}=${value})(${attribute}=${value}@*))` : `(${attribute}=${value})`;
  const filter = `(&${config.usersFilter}${assertion})`;
  const entries = await searchAll(client, config.usersBaseDn, filter, userAttributes(config), config.pageSize);
  return entries.map((e) => toSourceUser(e, config));
}

async function findSourceGroups(client: Client, config: ConnectorConfig, user: SourceUser, username: string): Promise<SourceGroup[]> {
  if (!config.syncGroups) return [];
  const value = config.membershipAttribute === 'memberUid' ? username : user.dn;
  const filter = `(&${config.groupsFilter}(${config.membershipAttribute}=${escapeFilterValue(value)}))`;
  const names = [config.groupNameAttribute, config.idAttribute, 'description'];
  const entries = await searchAll(client, config.groupsBaseDn, filter, names, config.pageSize);
  return entries.map((e) => toSourceGroup(e, config));
}

function domainAllowed(config: ConnectorConfig, email: string): boolean {
  const domain = email.slice(email.lastIndexOf('@') + 1);
  return config.allowedDomains.length === 0 || config.allowedDomains.includes(domain);
}

/** The source groups as directory group names; a name the directory cannot take is skipped. */
function joinedGroups(groups: readonly SourceGroup[]): JoinedSourceGroup[] {
  const joined: JoinedSourceGroup[] = [];
  for (const g of groups) {
    try {
      joined.push({ name: groupNameOf(g.name ?? ''), sourceId: g.id, description: g.description });
    } catch {
      continue;
    }
  }
  return joined;
}

function validate(config: ConnectorConfig, s: SourceUser): { username: string; email: string; displayName: string } | string {
  try {
    const username = normalizeUsername(s.username);
    const email = normalizeEmail(s.email ?? '');
    if (!domainAllowed(config, email)) return `email domain of ${email} is not in connector.allowed_domains`;
    let displayName = '';
    try {
      displayName = normalizeDisplayName(s.displayName);
    } catch {
      /* keep empty: the directory shows the username */
    }
    return { username, email, displayName };
  } catch (error) {
    return (error as Error).message;
  }
}

export async function autoCreateUser(store: Store, config: ConnectorConfig, login: string, password: string): Promise<AutoCreateOutcome> {
  if (!config.autoCreate) return { refused: 'auto_create is off' };
  const wanted = login.trim().toLowerCase();
  if (wanted === '' || password === '') return { refused: 'empty login or password' };
  const found = await withSource(config, (client) => findSourceUser(client, config, wanted));
  const source = found.length === 1 ? found[0] : undefined;
  if (source === undefined) return { refused: found.length === 0 ? 'the source has no such user' : 'the source has several matching users' };
  const fields = validate(config, source);
  if (typeof fields === 'string') return { refused: fields };
  if (source.disabled) return { refused: 'the account is disabled in the source' };
  if (!(await sourceAccepts(config, source.dn, password))) return { refused: 'the source rejected the password' };
  const groups = await withSource(config, (client) => findSourceGroups(client, config, source, fields.username));
  try {
    const created = await createSourceMirror(store).createOnLogin({ ...fields, sourceId: source.id, sourceDn: source.dn }, joinedGroups(groups));
    return created === undefined ? { refused: 'the username or email is already in use' } : { created };
  } catch (error) {
    if (error instanceof DirectoryError && error.kind === 'conflict') return { refused: error.message };
    throw error;
  }
}
