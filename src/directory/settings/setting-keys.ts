/**
 * Every key of the `settings` table (DESIGN §10), in one list: a new setting is added here first,
 * then read and written through this folder's use cases (defaults, YAML pins and audit in one place).
 */
export const SettingKey = {
  /** LDAP server on/off and its source-address allowlist (`PUT /api/v1/settings/directory-server`). */
  directoryServer: 'directory_server',
  /** Mandatory 2FA and the profile lock (`PUT /api/v1/settings/user-directory`). */
  userDirectory: 'user_directory',
  /** Whether LDAP binds of enrolled users must carry their TOTP code (`PUT /api/v1/settings/ldap-2fa`). */
  ldapTotp: 'ldap_totp',
  /** SMTP settings changed through the API (the YAML's `smtp:` pins them). */
  smtp: 'smtp',
  /** Salted digest of the directory admin secret (never the secret). */
  adminSecret: 'directory.admin_secret',
  /** The connector configuration stored through the API or CLI (the YAML's `connector:` pins it). */
  connectorConfig: 'connector.config',
  /** Source ids of users the connector deactivated because they vanished from the source. */
  connectorDeactivated: 'connector.deactivated',
  /** The last sync report (GET /api/v1/sync/status, `pgdir sync status`). */
  connectorLastReport: 'connector.last_report',
  /** Self-registration: the allowed email domains (`PUT /api/v1/settings/registration`, issue 14). */
  registration: 'registration',
  /** SAML single sign-on: IdP metadata, audience, group attribute… (`PUT /api/v1/settings/sso/saml`). */
  samlSso: 'sso.saml',
  /** OpenID Connect sign-in: issuer, client, sealed secret… (`PUT /api/v1/settings/sso/oidc`). */
  oidcSso: 'sso.oidc',
  /** A value sealed with `totp.key` on first start: a daemon with another key refuses to start. */
  sealingKeyCheck: 'sealing_key.check',
} as const;

export type SettingKey = (typeof SettingKey)[keyof typeof SettingKey];
