import { actorLabel, type Actor } from '../../domain/actor.js';
import { conflict } from '../../domain/errors.js';
import { parseAllowlistText } from '../../domain/ip-allowlist.js';
import type { Store, StoreReader } from '../../store/store.js';
import { SettingKey } from './setting-keys.js';

/**
 * Directory settings kept in the database and changed through the API (DESIGN §10). A value given
 * in the YAML is "pinned": it wins, is reported as locked, and a different value is refused (409).
 * Callers reach these through SettingsService.as(actor) (settings-service.ts), which asks may() first.
 */
export const DIRECTORY_SERVER_SETTING = SettingKey.directoryServer;
export const USER_DIRECTORY_SETTING = SettingKey.userDirectory;

export interface DirectoryServerSettings {
  readonly enabled: boolean;
  /** One address or CIDR per line, `#` comments, kept as written. */
  readonly allowlist: string;
}
export interface UserDirectorySettings {
  readonly mandatory2fa: boolean;
  readonly lockProfiles: boolean;
}

/** Values set in the YAML (absent = changeable through the API). */
export interface PinnedSettings {
  readonly directoryServer?: Partial<DirectoryServerSettings>;
  readonly userDirectory?: Partial<UserDirectorySettings>;
  /** `ldap.admin_password(_file)` is set: the secret cannot be rotated through the API. */
  readonly adminSecret?: boolean;
  /** `sso.saml.metadata(_file)`: the SAML identity provider's metadata XML (issue 14). */
  readonly samlMetadata?: string | undefined;
}

export interface Effective<T> {
  readonly values: T;
  /** Names of the fields pinned by the YAML. */
  readonly locked: (keyof T & string)[];
}

export type Section<T> = { key: string; defaults: T; pinned: Partial<T> | undefined };

async function read<T extends object>(reader: StoreReader, section: Section<T>): Promise<Effective<T>> {
  const stored = (await reader.getSetting<Partial<T>>(section.key)) ?? {};
  const pinned: Partial<T> = section.pinned ?? {};
  return {
    values: { ...section.defaults, ...stored, ...pinned },
    locked: Object.keys(pinned).filter((k) => pinned[k as keyof T] !== undefined) as (keyof T & string)[],
  };
}

/**
 * Applies `changes` in one transaction with an audit entry of what changed. A pinned field may be
 * sent with its pinned value (a client PUTting back what it read), never with another.
 */
async function write<T extends object>(
  store: Store,
  section: Section<T>,
  changes: Partial<T>,
  actor: Actor,
  action: string,
): Promise<{ before: Effective<T>; after: Effective<T> }> {
  return store.write(async (tx) => {
    const before = await read(tx, section);
    for (const field of before.locked) {
      const value = changes[field as keyof T];
      if (value !== undefined && value !== before.values[field as keyof T]) {
        throw conflict(`${field} is set in the configuration file and cannot be changed here`, field);
      }
    }
    const stored = (await tx.getSetting<Partial<T>>(section.key)) ?? {};
    const next = { ...stored, ...changes };
    const changed = (Object.keys(changes) as (keyof T & string)[]).filter((k) => changes[k] !== before.values[k]);
    if (changed.length > 0) {
      await tx.setSetting(section.key, next);
      await tx.appendAudit({
        actor: actorLabel(actor),
        action,
        target: section.key,
        details: {
          before: Object.fromEntries(changed.map((k) => [k, before.values[k]])),
          after: Object.fromEntries(changed.map((k) => [k, changes[k]])),
        },
      });
    }
    return { before, after: await read(tx, section) };
  });
}

export function directoryServerSection(pinned: PinnedSettings, defaultAllowlist: string): Section<DirectoryServerSettings> {
  return { key: DIRECTORY_SERVER_SETTING, defaults: { enabled: true, allowlist: defaultAllowlist }, pinned: pinned.directoryServer };
}

export function userDirectorySection(pinned: PinnedSettings): Section<UserDirectorySettings> {
  return { key: USER_DIRECTORY_SETTING, defaults: { mandatory2fa: false, lockProfiles: false }, pinned: pinned.userDirectory };
}

export const readSettings = read;

/** Validates the allowlist text (errors name the line) and stores it with its comments. */
export function writeDirectoryServer(
  store: Store,
  section: Section<DirectoryServerSettings>,
  changes: Partial<DirectoryServerSettings>,
  actor: Actor,
) {
  const normalized = changes.allowlist === undefined ? changes : { ...changes, allowlist: changes.allowlist.replace(/\r\n?/g, '\n') };
  if (normalized.allowlist !== undefined) parseAllowlistText(normalized.allowlist);
  return write(store, section, normalized, actor, 'settings.directoryServer');
}

/** Switching mandatory 2FA on ends the sessions of everyone without 2FA at once (DESIGN §7). */
export async function writeUserDirectory(
  store: Store,
  section: Section<UserDirectorySettings>,
  changes: Partial<UserDirectorySettings>,
  actor: Actor,
): Promise<Effective<UserDirectorySettings>> {
  const { before, after } = await write(store, section, changes, actor, 'settings.userDirectory');
  if (after.values.mandatory2fa && !before.values.mandatory2fa) await store.apiTokens.deleteSessionsWithoutTotp();
  return after;
}
