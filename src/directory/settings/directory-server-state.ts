import { parseAllowlist, parseAllowlistText, type IpAllowlist } from '../../domain/ip-allowlist.js';
import type { StoreReader } from '../../store/store.js';
import { directoryServerSection, readSettings, type PinnedSettings } from './directory-settings.js';

export interface DirectoryServerState {
  readonly enabled: boolean;
  readonly allowlist: IpAllowlist;
}

/**
 * The allowlist and on/off switch the LDAP listeners apply, read through the same section as the
 * API shows (stored value, else the YAML's `ldap.allowlist`; pins win). Disabled means nobody is
 * admitted: new connections are closed at accept.
 */
export async function readDirectoryServerState(
  reader: StoreReader,
  pinned: PinnedSettings,
  yamlAllowlist: readonly string[],
): Promise<DirectoryServerState> {
  const yamlText = yamlAllowlist.join('\n');
  const { values } = await readSettings(reader, directoryServerSection(pinned, yamlText));
  // Not stored: parse the YAML's entries as entries (their errors name the entry, not a line).
  const allowlist = values.allowlist === yamlText ? parseAllowlist(yamlAllowlist) : parseAllowlistText(values.allowlist);
  return { enabled: values.enabled, allowlist: values.enabled ? allowlist : parseAllowlist([]) };
}
