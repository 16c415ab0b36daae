import type { StoreTx } from './store.js';
import { createReader } from './store-reader.js';
import { deleteApp, insertApp, updateApp } from './app-store.js';
import type { TxContext } from './tx-context.js';
import { addMember, deleteGroup, insertGroup, removeMember, setMembers, updateGroup } from './group-mutations.js';
import { deleteUser, insertUser, updateUser } from './user-mutations.js';
import {
  appendAudit,
  deleteServiceAccount,
  deleteSetting,
  insertServiceAccount,
  setSetting,
  updateServiceAccount,
} from './other-mutations.js';
import { createTeamMutations } from './team-mutations.js';
import { appendAudits, insertUsers, takenUserKeys } from './user-batch.js';
import { appPasswordMutations } from './app-password-mutations.js';

/** The StoreTx handed to `Store.write` callbacks: reads and mutators over one transaction. */
export function createStoreTx(ctx: TxContext): StoreTx {
  return {
    ...createReader(ctx.trx),
    ...createTeamMutations(ctx),
    insertUser: (user) => insertUser(ctx, user),
    updateUser: (id, patch) => updateUser(ctx, id, patch),
    deleteUser: (id) => deleteUser(ctx, id),
    insertGroup: (group) => insertGroup(ctx, group),
    updateGroup: (id, patch) => updateGroup(ctx, id, patch),
    deleteGroup: (id) => deleteGroup(ctx, id),
    addMember: (groupId, userId) => addMember(ctx, groupId, userId),
    removeMember: (groupId, userId) => removeMember(ctx, groupId, userId),
    setMembers: (groupId, userIds) => setMembers(ctx, groupId, userIds),
    setSetting: (key, value) => setSetting(ctx, key, value),
    deleteSetting: (key) => deleteSetting(ctx, key),
    insertServiceAccount: (account) => insertServiceAccount(ctx, account),
    updateServiceAccount: (id, patch) => updateServiceAccount(ctx, id, patch),
    deleteServiceAccount: (id) => deleteServiceAccount(ctx, id),
    insertApp: (app) => insertApp(ctx, app),
    updateApp: (id, patch) => updateApp(ctx, id, patch),
    deleteApp: (id) => deleteApp(ctx, id),
    appendAudit: (entry) => appendAudit(ctx, entry),
    insertUsers: (users) => insertUsers(ctx, users),
    appendAudits: (entries) => appendAudits(ctx, entries),
    takenUserKeys: (keys) => takenUserKeys(ctx.trx, keys),
    appPasswords: appPasswordMutations(ctx),
  };
}
