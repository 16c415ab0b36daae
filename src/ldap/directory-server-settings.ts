import { parseAllowlist, parseAllowlistText, type IpAllowlist } from '../domain/ip-allowlist.js';
import type { StoreReader } from '../store/store.js';

/** Settings key written by the HTTP API (`PUT /api/v1/settings/directory-server`). */
export const DIRECTORY_SERVER_SETTING = 'directory_server';

export interface DirectoryServerState {
  readonly enabled: boolean;
  readonly allowlist: IpAllowlist;
}

/**
 * The allowlist and on/off switch the LDAP listeners apply: what the API stored, else the YAML's
 * `ldap.allowlist`. Disabled means nobody is admitted: new connections are closed at accept.
 */
export async function readDirectoryServer(store: StoreReader, yamlAllowlist: readonly string[]): Promise<DirectoryServerState> {
  const stored = await store.getSetting<{ enabled?: boolean; allowlist?: string }>(DIRECTORY_SERVER_SETTING);
  const enabled = stored?.enabled ?? true;
  const allowlist =
    typeof stored?.allowlist === 'string' ? parseAllowlistText(stored.allowlist) : parseAllowlist(yamlAllowlist);
  return { enabled, allowlist: enabled ? allowlist : parseAllowlist([]) };
}
