import { z } from 'zod';
import { boolean, duration, integer, list, mapping, text } from '../config/scalars.js';
import { parseFilter } from '../domain/filter-parse.js';
import { tryNormalizeDn } from '../domain/dn.js';
import { PROVIDERS } from './presets.js';

/*
 * The connector's configuration as written in YAML (`connector:` in pgdir.yaml) or stored in the
 * settings table: snake_case keys, every one optional where the provider preset supplies a
 * default. connector-config.ts resolves it against the preset into a ConnectorConfig.
 */

const ldapFilter = () =>
  text().superRefine((v, ctx) => {
    try {
      parseFilter(v);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} is not an LDAP filter (${(error as Error).message})` });
    }
  });

const distinguishedName = () =>
  text().superRefine((v, ctx) => {
    if (tryNormalizeDn(v) === undefined || v.trim() === '') {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} is not a DN such as ou=users,dc=example,dc=com` });
    }
  });

const sourceUrl = () =>
  text().superRefine((v, ctx) => {
    let url: URL;
    try {
      url = new URL(v);
    } catch {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} is not a URL (expected e.g. ldaps://ldap.example.com:636)` });
      return;
    }
    if (url.protocol !== 'ldap:' && url.protocol !== 'ldaps:') {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)}: scheme must be ldap:// or ldaps://` });
    } else if (url.hostname === '') ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} has no host` });
  });

const attributeName = () =>
  text().regex(/^([a-z][a-z0-9-]*|\d+(\.\d+)+)$/i, 'must be an attribute name such as uid or sAMAccountName');

const domainName = () =>
  text().transform((v) => v.toLowerCase().replace(/^@/, '')).refine((v) => /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(v), {
    message: 'must be a domain name such as example.com',
  });

export const connectorSchema = mapping({
  provider: z.enum(PROVIDERS, { error: `must be one of ${PROVIDERS.join(', ')}` }).default('other'),
  url: sourceUrl().optional(),
  start_tls: boolean().default(false),
  ca_file: text().optional(),
  accept_self_signed: boolean().default(false),
  bind_dn: distinguishedName().optional(),
  bind_password: text().optional(),
  /** The tree the provider keeps everything under; presets derive the users/groups bases from it. */
  base_dn: distinguishedName().optional(),
  users_base_dn: distinguishedName().optional(),
  users_filter: ldapFilter().optional(),
  username_attribute: attributeName().optional(),
  /** `alice@example.com` in the username attribute becomes the username `alice`. */
  username_strip_domain: boolean().optional(),
  email_attribute: attributeName().optional(),
  display_name_attribute: attributeName().optional(),
  id_attribute: attributeName().optional(),
  sync_groups: boolean().default(true),
  groups_base_dn: distinguishedName().optional(),
  groups_filter: ldapFilter().optional(),
  group_name_attribute: attributeName().optional(),
  membership_attribute: z
    .enum(['member', 'uniqueMember', 'memberUid'], { error: 'must be one of member, uniqueMember, memberUid' })
    .optional(),
  auto_create: boolean().default(false),
  allowed_domains: list(domainName()).default([]),
  on_missing: z.enum(['keep', 'deactivate'], { error: 'must be one of keep, deactivate' }).default('keep'),
  interval: duration().default(0),
  timeout: duration().default(10_000),
  page_size: integer(1, 100_000).default(500),
});

export type ConnectorSettings = z.input<typeof connectorSchema>;
export type ParsedConnectorSettings = z.output<typeof connectorSchema>;
