import { actorLabel, type Actor } from '../../domain/actor.js';
import { conflict } from '../../domain/errors.js';
import type { Group } from '../../domain/model.js';
import type { Store } from '../../store/store.js';
import { resolveGroup } from './group-ref.js';
import { resolveUser } from '../users/user-ref.js';

/**
 * `PUT /users/:id/groups`: replaces the groups a user is in, in one transaction (every group must
 * exist and be local; built-in groups are a 409). Unchecked: reached through DirectoryServices.as(actor),
 * which asks may(actor, 'group.setMembers') first.
 */
export async function setUserGroups(store: Store, userRef: string, groupRefs: readonly string[], actor: Actor): Promise<Group[]> {
  return store.write(async (tx) => {
    const user = await resolveUser(tx, userRef);
    const wanted = new Map<string, Group>();
    for (const [i, ref] of groupRefs.entries()) {
      const group = await resolveGroup(tx, ref, 'change', `groupIds.${i}`);
      wanted.set(group.id, group);
    }
    const current = new Set(await tx.userGroupIds(user.id));
    const added = [...wanted.values()].filter((g) => !current.has(g.id));
    const removed: Group[] = [];
    for (const id of current) {
      const group = wanted.has(id) ? undefined : await tx.getGroup(id);
      if (group !== undefined) removed.push(group);
    }
    const external = [...added, ...removed].find((g) => g.source !== 'local');
    if (external !== undefined) throw conflict(`group "${external.name}" is managed by the external directory`, 'groupIds');
    for (const group of added) await tx.addMember(group.id, user.id);
    for (const group of removed) await tx.removeMember(group.id, user.id);
    if (added.length + removed.length > 0) {
      await tx.appendAudit({
        actor: actorLabel(actor),
        action: 'user.setGroups',
        target: user.id,
        details: { added: added.map((g) => g.id), removed: removed.map((g) => g.id) },
      });
    }
    const ids = new Set(await tx.userGroupIds(user.id));
    return (await tx.listGroups()).filter((g) => ids.has(g.id));
  });
}
