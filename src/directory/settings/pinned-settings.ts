import type { Config } from '../../config/schema.js';
import type { PinnedSettings } from './directory-settings.js';

/**
 * The settings the YAML pins (DESIGN §10): reported as locked by the API, applied by LDAP. Today
 * only the directory admin secret (`ldap.admin_password(_file)`); a new pinned key is added here.
 */
export function pinnedSettings(config: Config, extra: PinnedSettings = {}): PinnedSettings {
  return { adminSecret: config.ldap.admin_password !== undefined, samlMetadata: config.sso.saml.metadata, ...extra };
}
