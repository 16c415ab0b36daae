import { normalizeEmail } from '../domain/email.js';
import { DirectoryError } from '../domain/errors.js';
import { normalizeUsername } from '../domain/username.js';
import type { ConnectionTestResult, SampleUser } from '../daemon/connector-port.js';
import type { ConnectorConfig } from './connector-config.js';
import { describeSourceError, withSource } from './source-client.js';
import { readSourceUsers, searchAll, type SourceUser } from './source-entries.js';

/**
 * "Test connection" (issue 6): bind as the service account, count what the filters find, and show
 * the first few users as pgdir would mirror them, so an admin sees what a sync would do before
 * running one. Never writes anything.
 */

function sampleOf(u: SourceUser): SampleUser {
  const base = { dn: u.dn, id: u.id, username: u.username, email: u.email, displayName: u.displayName };
  try {
    if (u.username === undefined) throw new Error('no username attribute value');
    const username = normalizeUsername(u.username);
    if (u.email === undefined) throw new Error('no email address');
    return { ...base, username, email: normalizeEmail(u.email) };
  } catch (error) {
    return { ...base, problem: (error as Error).message };
  }
}

export async function testConnection(config: ConnectorConfig, sampleSize = 5): Promise<ConnectionTestResult> {
  const started = performance.now();
  const common = { url: config.url, boundAs: config.bindDn ?? 'anonymous' };
  try {
    const { users, groups } = await withSource(config, async (client) => ({
      users: await readSourceUsers(client, config),
      // Only a count: names suffice, no members (an AD group's ranged member lists are not fetched).
      groups: config.syncGroups ? (await searchAll(client, config.groupsBaseDn, config.groupsFilter, [config.groupNameAttribute], config.pageSize)).length : undefined,
    }));
    const sample = users.slice(0, sampleSize).map(sampleOf);
    return { ok: true, ...common, users: users.length, groups, sample, durationMs: Math.round(performance.now() - started) };
  } catch (error) {
    const message = error instanceof DirectoryError ? error.message : describeSourceError(error);
    return { ok: false, ...common, users: 0, groups: undefined, sample: [], durationMs: Math.round(performance.now() - started), error: message };
  }
}
