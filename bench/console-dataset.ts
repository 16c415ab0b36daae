import type { Store } from '../src/store/store.js';
import type { Dataset } from './dataset.js';

/**
 * The console bench's directory: the bench dataset's users and groups, written with the bulk
 * insert the users import uses (1000 rows a statement, so 100,000 users load in a minute or two),
 * with a spread the Users filters can find: every 50th user disabled, every 100th a user manager,
 * every 10th mirrored from an external directory. Plus teams with grants for the Teams pages.
 */
const BATCH = 1000;
export const TEAMS = 20;

export async function loadConsoleDataset(store: Store, dataset: Dataset): Promise<{ teamId: string }> {
  for (let at = 0; at < dataset.users.length; at += BATCH) {
    const batch = dataset.users.slice(at, at + BATCH).map((u) => ({
      id: u.id, username: u.username, email: u.email, displayName: u.displayName, passwordHash: u.passwordHash,
      role: u.role === 'admin' ? u.role : u.index % 100 === 7 ? ('usermanager' as const) : u.role,
      active: u.index % 50 !== 3,
      ...(u.index % 10 === 5 ? { source: 'ldap' as const, sourceId: `ext-${u.index}` } : {}),
    }));
    await store.write((tx) => tx.insertUsers(batch));
  }
  const groupIds: string[] = [];
  for (let at = 0; at < dataset.groups.length; at += 50) {
    await store.write(async (tx) => {
      for (const g of dataset.groups.slice(at, at + 50)) {
        const group = await tx.insertGroup({ name: g.name, description: g.description });
        groupIds.push(group.id);
        await tx.setMembers(group.id, g.members.map((m) => dataset.users[m]?.id ?? ''));
      }
    });
  }
  let teamId = '';
  await store.write(async (tx) => {
    for (let i = 0; i < TEAMS; i++) {
      const team = await tx.insertTeam({ name: `team${String(i).padStart(2, '0')}`, description: `Bench team ${i}` });
      teamId ||= team.id;
      for (let k = 0; k < 10; k++) {
        const user = dataset.users[(i * 10 + k) % dataset.users.length];
        if (user !== undefined) await tx.putGrant({ teamId: team.id, principal: { type: 'user', id: user.id }, level: k === 0 ? 'admin' : 'editor' });
      }
      const group = groupIds[i % groupIds.length];
      if (group !== undefined) await tx.putGrant({ teamId: team.id, principal: { type: 'group', id: group }, level: 'viewer' });
    }
    await tx.putGrant({ teamId: null, principal: { type: 'everyone' }, level: 'viewer' });
  });
  return { teamId };
}
