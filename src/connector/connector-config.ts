import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../config/config-error.js';
import { knownKeys, suggestKey } from '../config/suggest-key.js';
import { DirectoryError } from '../domain/errors.js';
import { connectorSchema, type ParsedConnectorSettings } from './connector-schema.js';
import { guessBaseDn, PRESETS, type DisabledFlag, type MembershipAttribute, type Provider } from './presets.js';

/** The connector's resolved configuration: preset defaults filled in, durations in milliseconds. */
export interface ConnectorConfig {
  readonly provider: Provider;
  readonly url: string;
  readonly startTls: boolean;
  readonly caFile: string | undefined;
  readonly acceptSelfSigned: boolean;
  readonly bindDn: string | undefined;
  readonly bindPassword: string | undefined;
  readonly usersBaseDn: string;
  readonly usersFilter: string;
  readonly usernameAttribute: string;
  readonly usernameStripDomain: boolean;
  readonly emailAttribute: string;
  readonly displayNameAttribute: string;
  readonly idAttribute: string;
  /** From the preset (AD: userAccountControl bit 0x2); undefined when the source has no such flag. */
  readonly disabledFlag: DisabledFlag | undefined;
  readonly syncGroups: boolean;
  readonly groupsBaseDn: string;
  readonly groupsFilter: string;
  readonly groupNameAttribute: string;
  readonly membershipAttribute: MembershipAttribute;
  readonly autoCreate: boolean;
  readonly allowedDomains: readonly string[];
  readonly onMissing: 'keep' | 'deactivate';
  /** 0 = manual only. */
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly pageSize: number;
}

const PREFIX = 'connector';

function describe(issues: readonly z.core.$ZodIssue[]): ConfigIssue[] {
  return issues.flatMap((issue) => {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(connectorSchema, issue.path);
      return issue.keys.map((key) => {
        const hint = suggestKey(key, known);
        return { key: [PREFIX, ...path, key].join('.'), message: `unknown key${hint ? ` (did you mean ${PREFIX}.${hint}?)` : ''}` };
      });
    }
    return [{ key: [PREFIX, ...path].join('.'), message: issue.message }];
  });
}

function required(issues: ConfigIssue[], key: string, value: string | undefined, hint: string): string {
  if (value === undefined) issues.push({ key: `${PREFIX}.${key}`, message: `is required ${hint}` });
  return value ?? '';
}

function resolve(s: ParsedConnectorSettings): ConnectorConfig {
  const preset = PRESETS[s.provider];
  const issues: ConfigIssue[] = [];
  const base = s.base_dn ?? guessBaseDn(s.provider, s.url, s.bind_dn);
  const usersBase = s.users_base_dn ?? (base !== undefined ? preset.usersBase?.(base) : undefined);
  const groupsBase = s.groups_base_dn ?? (base !== undefined ? preset.groupsBase?.(base) : undefined) ?? usersBase;
  const url = required(issues, 'url', s.url ?? preset.url, '(e.g. ldaps://ldap.example.com:636)');
  const hint = `(or set ${PREFIX}.base_dn${s.provider === 'other' ? '' : ` so that the ${s.provider} preset can derive it`})`;
  const usersBaseDn = required(issues, 'users_base_dn', usersBase, hint);
  if (s.bind_dn !== undefined && s.bind_password === undefined) {
    issues.push({ key: `${PREFIX}.bind_password`, message: `is required with ${PREFIX}.bind_dn (or give ${PREFIX}.bind_password_file)` });
  }
  if (s.bind_password !== undefined && s.bind_dn === undefined) {
    issues.push({ key: `${PREFIX}.bind_dn`, message: `is required with ${PREFIX}.bind_password` });
  }
  if (s.ca_file !== undefined && s.accept_self_signed) {
    issues.push({ key: `${PREFIX}.accept_self_signed`, message: `set either ${PREFIX}.ca_file or ${PREFIX}.accept_self_signed, not both` });
  }
  if (s.start_tls && url.startsWith('ldaps:')) {
    issues.push({ key: `${PREFIX}.start_tls`, message: 'applies to ldap:// URLs only (ldaps:// is TLS already)' });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return {
    provider: s.provider,
    url,
    startTls: s.start_tls,
    caFile: s.ca_file,
    acceptSelfSigned: s.accept_self_signed,
    bindDn: s.bind_dn,
    bindPassword: s.bind_password,
    usersBaseDn,
    usersFilter: s.users_filter ?? preset.usersFilter,
    usernameAttribute: s.username_attribute ?? preset.usernameAttribute,
    usernameStripDomain: s.username_strip_domain ?? preset.usernameStripDomain ?? false,
    emailAttribute: s.email_attribute ?? preset.emailAttribute,
    displayNameAttribute: s.display_name_attribute ?? preset.displayNameAttribute,
    idAttribute: s.id_attribute ?? preset.idAttribute,
    disabledFlag: preset.disabledFlag,
    syncGroups: s.sync_groups,
    groupsBaseDn: groupsBase ?? usersBaseDn,
    groupsFilter: s.groups_filter ?? preset.groupsFilter,
    groupNameAttribute: s.group_name_attribute ?? preset.groupNameAttribute,
    membershipAttribute: s.membership_attribute ?? preset.membershipAttribute,
    autoCreate: s.auto_create,
    allowedDomains: s.allowed_domains,
    onMissing: s.on_missing,
    intervalMs: s.interval,
    timeoutMs: s.timeout,
    pageSize: s.page_size,
  };
}

/**
 * Validates the `connector` mapping (YAML or settings) and fills in the provider's preset. Throws
 * ConfigError whose issues name each offending key (`connector.users_base_dn: is required ...`).
 */
export function parseConnectorConfig(raw: unknown): ConnectorConfig {
  const parsed = connectorSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new ConfigError(describe(parsed.error.issues));
  return resolve(parsed.data);
}

/** parseConnectorConfig for the API: the first problem as DirectoryError('invalid') with its field. */
export function parseConnectorSettings(raw: unknown): ConnectorConfig {
  try {
    return parseConnectorConfig(raw);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const first = error.issues[0];
    const message = error.issues.map((i) => `${i.key}: ${i.message}`).join('; ');
    throw new DirectoryError('invalid', message, first === undefined ? {} : { field: first.key });
  }
}
