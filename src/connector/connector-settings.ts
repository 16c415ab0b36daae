import { createSourceMirror } from '../directory/mirror/source-mirror.js';
import { SettingKey } from '../directory/settings/setting-keys.js';
import { DirectoryError } from '../domain/errors.js';
import type { Store, StoreReader } from '../store/store.js';
import { parseConnectorConfig, parseConnectorSettings, type ConnectorConfig } from './connector-config.js';

/**
 * Where the connector's configuration lives (DESIGN §10): a `connector:` mapping in pgdir.yaml is
 * pinned and wins (the API reports it as locked); otherwise the settings row `connector.config`
 * holds the same snake_case mapping, edited through the API and CLI.
 */
export const CONFIG_SETTING = SettingKey.connectorConfig;

export interface ConnectorConfigSource {
  readonly config: ConnectorConfig;
  /** true when it comes from the YAML file and cannot be changed through the API. */
  readonly pinned: boolean;
  /** The mapping as written, with the bind password masked (for display). */
  readonly settings: Readonly<Record<string, unknown>>;
}

export function maskSecrets(raw: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return raw['bind_password'] === undefined ? { ...raw } : { ...raw, bind_password: '********' };
}

/** The effective configuration, or undefined when no connector is configured anywhere. */
export async function loadConnectorConfig(
  reader: Pick<StoreReader, 'getSetting'>,
  pinned: Readonly<Record<string, unknown>> | undefined,
): Promise<ConnectorConfigSource | undefined> {
  if (pinned !== undefined) {
    return { config: parseConnectorConfig(pinned), pinned: true, settings: maskSecrets(pinned) };
  }
  const stored = await reader.getSetting<Record<string, unknown>>(CONFIG_SETTING);
  if (stored === undefined || stored === null) return undefined;
  return { config: parseConnectorConfig(stored), pinned: false, settings: maskSecrets(stored) };
}

/**
 * Stores a new configuration (API/CLI). A pinned YAML configuration refuses with 409; an invalid
 * one with 400 naming the key. A `bind_password` of `********` keeps the stored password, so that
 * a form showing the masked value can be sent back unchanged.
 */
export async function saveConnectorConfig(
  store: Store,
  raw: Readonly<Record<string, unknown>>,
  pinned: Readonly<Record<string, unknown>> | undefined,
  actor: string,
): Promise<ConnectorConfig> {
  if (pinned !== undefined) {
    throw new DirectoryError('conflict', 'the connector is configured in the configuration file and cannot be changed here', {
      field: 'connector',
    });
  }
  return createSourceMirror(store).configure(actor, (previous) => {
    const next = { ...raw };
    if (next['bind_password'] === '********') next['bind_password'] = previous?.['bind_password'];
    const config = parseConnectorSettings(next);
    return { stored: next, audited: maskSecrets(next), result: config };
  });
}
