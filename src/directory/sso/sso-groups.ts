import type { Group, GroupSource } from '../../domain/model.js';
import { MAX_NAME_LENGTH } from '../../domain/name-syntax.js';
import { isBuiltinGroupName } from '../../domain/reserved-names.js';
import type { StoreTx } from '../../store/store.js';

export type SsoSource = Extract<GroupSource, 'saml' | 'oidc'>;

/** An IdP listing thousands of groups for one person is a misconfiguration, not a directory. */
export const MAX_SSO_GROUPS = 500;
const MAX_GROUP_ID = 256;

export interface SsoGroupChanges {
  readonly added: readonly Group[];
  readonly removed: readonly Group[];
  /** Groups created on first sight (also in `added`). */
  readonly created: readonly Group[];
}

/** The IdP's group names as a set: trimmed, non-empty, bounded, first spelling kept. */
export function cleanGroupList(names: readonly unknown[]): string[] {
  const seen = new Map<string, string>();
  for (const raw of names) {
    if (typeof raw !== 'string') continue;
    const name = raw.trim();
    if (name === '' || name.length > MAX_GROUP_ID) continue;
    if (!seen.has(name)) seen.set(name, name);
    if (seen.size >= MAX_SSO_GROUPS) break;
  }
  return [...seen.values()];
}

/** A pgdir group name for an IdP group: its valid characters, lower case (DESIGN §7). */
export function groupNameBase(idpName: string): string {
  const name = idpName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^[.-]+|[.-]+$/g, '')
    .slice(0, MAX_NAME_LENGTH - 12);
  return name === '' ? 'group' : name;
}

/**
 * Replaces the user's memberships in groups of `source` by `idpNames` (issue 14), inside the
 * caller's transaction: a group is found by (source, IdP name) — its `sourceId` — and created on
 * first sight; memberships in local, mirrored (`ldap`) and the other SSO source's groups are never
 * touched. The IdP name keeps its spelling in sourceId; the pgdir name is made valid and unique
 * (`-saml`, `-saml-2`, … when a local group or a built-in already has it).
 */
export async function replaceSsoGroups(tx: StoreTx, userId: string, source: SsoSource, idpNames: readonly string[], builtinNames: readonly string[] = []): Promise<SsoGroupChanges> {
  const wanted = cleanGroupList(idpNames);
  const all = await tx.listGroups();
  const bySourceId = new Map(all.filter((g) => g.source === source && g.sourceId !== null).map((g) => [g.sourceId as string, g]));
  const created: Group[] = [];
  const targets = new Map<string, Group>();
  for (const idpName of wanted) {
    let group = bySourceId.get(idpName);
    if (group === undefined) {
      group = await tx.insertGroup({ name: await freeGroupName(tx, groupNameBase(idpName), source, builtinNames), source, sourceId: idpName, description: `${source.toUpperCase()} group ${idpName}` });
      bySourceId.set(idpName, group);
      created.push(group);
    }
    targets.set(group.id, group);
  }
  const current = new Set(await tx.userGroupIds(userId));
  const added = [...targets.values()].filter((g) => !current.has(g.id));
  const removed = all.filter((g) => g.source === source && current.has(g.id) && !targets.has(g.id));
  for (const group of added) await tx.addMember(group.id, userId);
  for (const group of removed) await tx.removeMember(group.id, userId);
  return { added, removed, created };
}

async function freeGroupName(tx: StoreTx, base: string, source: SsoSource, builtinNames: readonly string[]): Promise<string> {
  for (let n = 0; n < 1000; n++) {
    const name = n === 0 ? base : n === 1 ? `${base}-${source}` : `${base}-${source}-${n}`;
    if (!isBuiltinGroupName(name, builtinNames) && (await tx.findGroupByName(name)) === undefined) return name;
  }
  return `${base}-${source}-${Math.random().toString(36).slice(2, 10)}`;
}
