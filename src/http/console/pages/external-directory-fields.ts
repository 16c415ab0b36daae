import type { MessageKey } from '../messages.js';
import { t } from '../messages.js';

/**
 * The connector's settings as form fields, with the snake_case keys of `connector:` in pgdir.yaml
 * (docs/connector.md). The connector validates them (400 naming the key) and fills what is left
 * empty from the provider's preset, so the form sends only what the admin typed.
 */
export interface ConnectorField {
  readonly name: string;
  readonly kind: 'text' | 'bool' | 'select' | 'secret';
  readonly label: MessageKey;
  readonly choices?: readonly (readonly [string, string])[];
  /** Shown for a stored configuration that does not set the key (the connector's default). */
  readonly default?: boolean;
}

/** The presets DESIGN §9 names (connector/presets.ts); the connector refuses any other. */
export const PROVIDER_CHOICES: readonly (readonly [string, string])[] = [
  ['jumpcloud', 'JumpCloud'],
  ['okta', 'Okta'],
  ['ad', 'Active Directory'],
  ['cloudron', 'Cloudron'],
  ['pgdir', 'pgdir'],
  ['other', t('ext.providerOther')],
];

export const CONNECTOR_FIELDS: readonly ConnectorField[] = [
  { name: 'provider', kind: 'select', label: 'ext.provider' },
  { name: 'url', kind: 'text', label: 'ext.url' },
  { name: 'start_tls', kind: 'bool', label: 'ext.startTls' },
  { name: 'accept_self_signed', kind: 'bool', label: 'ext.acceptSelfSigned' },
  { name: 'ca_file', kind: 'text', label: 'ext.caFile' },
  { name: 'bind_dn', kind: 'text', label: 'ext.bindDn' },
  { name: 'bind_password', kind: 'secret', label: 'ext.bindPassword' },
  { name: 'base_dn', kind: 'text', label: 'ext.baseDn' },
  { name: 'users_base_dn', kind: 'text', label: 'ext.usersBaseDn' },
  { name: 'users_filter', kind: 'text', label: 'ext.usersFilter' },
  { name: 'username_attribute', kind: 'text', label: 'ext.usernameAttribute' },
  { name: 'email_attribute', kind: 'text', label: 'ext.emailAttribute' },
  { name: 'display_name_attribute', kind: 'text', label: 'ext.displayNameAttribute' },
  { name: 'id_attribute', kind: 'text', label: 'ext.idAttribute' },
  { name: 'sync_groups', kind: 'bool', label: 'ext.syncGroups', default: true },
  { name: 'groups_base_dn', kind: 'text', label: 'ext.groupsBaseDn' },
  { name: 'groups_filter', kind: 'text', label: 'ext.groupsFilter' },
  { name: 'group_name_attribute', kind: 'text', label: 'ext.groupNameAttribute' },
  { name: 'membership_attribute', kind: 'select', label: 'ext.membershipAttribute', choices: [['', t('ext.presetDefault')], ['member', 'member'], ['uniqueMember', 'uniqueMember'], ['memberUid', 'memberUid']] },
  { name: 'auto_create', kind: 'bool', label: 'ext.autoCreate' },
  { name: 'allowed_domains', kind: 'text', label: 'ext.allowedDomains' },
  { name: 'on_missing', kind: 'select', label: 'ext.onMissing', choices: [['keep', t('ext.onMissingKeep')], ['deactivate', t('ext.onMissingDeactivate')]] },
  { name: 'interval', kind: 'text', label: 'ext.interval' },
];

/** The posted form as the connector's raw settings: empty text is left out, checkboxes are booleans. */
export function formToSettings(form: Readonly<Record<string, string>>): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const field of CONNECTOR_FIELDS) {
    const value = (form[field.name] ?? '').trim();
    if (field.kind === 'bool') settings[field.name] = value === '1';
    // The page never shows the stored password: an empty field keeps it (connector-settings.ts).
    else if (field.kind === 'secret') settings[field.name] = value === '' ? '********' : value.slice(0, 2000);
    else if (value !== '') settings[field.name] = value.slice(0, 2000);
  }
  return settings;
}
