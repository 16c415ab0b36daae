/**
 * Provider presets (DESIGN §9): the defaults each kind of source directory needs, so that an admin
 * usually gives only the URL, the bind account and (for JumpCloud, Okta, AD) where the tree starts.
 * Every field can still be overridden in the configuration.
 */

export const PROVIDERS = ['jumpcloud', 'okta', 'ad', 'cloudron', 'pgdir', 'other'] as const;
export type Provider = (typeof PROVIDERS)[number];

export type MembershipAttribute = 'member' | 'uniqueMember' | 'memberUid';

export interface Preset {
  readonly url?: string;
  /** Builds the users/groups base DNs from `base_dn` (the tree the provider puts everything under). */
  readonly usersBase?: (base: string) => string;
  readonly groupsBase?: (base: string) => string;
  readonly usersFilter: string;
  readonly usernameAttribute: string;
  readonly emailAttribute: string;
  readonly displayNameAttribute: string;
  /** `dn` means the entry's DN; a binary attribute such as objectGUID is turned into a UUID string. */
  readonly idAttribute: string;
  readonly groupsFilter: string;
  readonly groupNameAttribute: string;
  readonly membershipAttribute: MembershipAttribute;
  /** Logins that are email addresses (Okta) give their local part as the pgdir username. */
  readonly usernameStripDomain?: boolean;
  /** An integer flags attribute whose bits mark a disabled account (mirrored as inactive). */
  readonly disabledFlag?: DisabledFlag;
}

export interface DisabledFlag {
  readonly attribute: string;
  readonly mask: number;
}

const inetOrgPerson = {
  usersFilter: '(objectClass=inetOrgPerson)',
  usernameAttribute: 'uid',
  emailAttribute: 'mail',
  displayNameAttribute: 'displayName',
  idAttribute: 'entryUUID',
  groupsFilter: '(objectClass=groupOfNames)',
  groupNameAttribute: 'cn',
  membershipAttribute: 'member',
} as const;

/** Cloudron's directory server and pgdir serve the same DIT (DESIGN §3). */
const cloudronLike: Preset = {
  usersBase: (base) => `ou=users,${base}`,
  groupsBase: (base) => `ou=groups,${base}`,
  usersFilter: '(objectClass=user)',
  usernameAttribute: 'username',
  emailAttribute: 'mail',
  displayNameAttribute: 'displayName',
  idAttribute: 'entryUUID',
  // Their built-in groups (every user, the admins) are computed there and here; never mirrored.
  groupsFilter: '(&(objectClass=group)(!(cn=users))(!(cn=admins)))',
  groupNameAttribute: 'cn',
  membershipAttribute: 'member',
};

export const PRESETS: Record<Provider, Preset> = {
  // JumpCloud's LDAP-as-a-Service keeps users and groups side by side in ou=Users,o=<org id>.
  jumpcloud: {
    ...inetOrgPerson,
    url: 'ldaps://ldap.jumpcloud.com:636',
    usersBase: (base) => `ou=Users,${base}`,
    groupsBase: (base) => `ou=Users,${base}`,
  },
  // Okta's LDAP Interface: ou=users / ou=groups under dc=<org>,dc=okta,dc=com; groups are
  // groupOfUniqueNames with uniqueMember; the display name is cn.
  okta: {
    ...inetOrgPerson,
    usersBase: (base) => `ou=users,${base}`,
    groupsBase: (base) => `ou=groups,${base}`,
    displayNameAttribute: 'cn',
    idAttribute: 'uniqueIdentifier',
    groupsFilter: '(objectClass=groupOfUniqueNames)',
    membershipAttribute: 'uniqueMember',
    usernameStripDomain: true,
  },
  // Active Directory: objectCategory=person excludes computer accounts (also objectClass=user).
  ad: {
    usersBase: (base) => base,
    groupsBase: (base) => base,
    usersFilter: '(&(objectClass=user)(objectCategory=person))',
    usernameAttribute: 'sAMAccountName',
    emailAttribute: 'mail',
    displayNameAttribute: 'displayName',
    idAttribute: 'objectGUID',
    groupsFilter: '(objectClass=group)',
    groupNameAttribute: 'cn',
    membershipAttribute: 'member',
    // ACCOUNTDISABLE (MS-ADTS 2.2.16, userAccountControl bits): disabled accounts mirror inactive.
    disabledFlag: { attribute: 'userAccountControl', mask: 0x2 },
  },
  cloudron: { ...cloudronLike },
  pgdir: { ...cloudronLike },
  other: { ...inetOrgPerson, usersBase: (base) => base, groupsBase: (base) => base },
};

/** Where the provider's tree starts when `base_dn` is not given, guessed from the URL or bind DN. */
export function guessBaseDn(provider: Provider, url: string | undefined, bindDn: string | undefined): string | undefined {
  if (provider === 'okta' && url !== undefined) {
    // <org>.ldap.okta.com (or oktapreview / okta-emea) → dc=<org>,dc=okta,dc=com
    const host = safeHost(url);
    const match = host === undefined ? null : /^([a-z0-9-]+)\.ldap\.(okta(?:preview|-emea)?)\.com$/i.exec(host);
    if (match) return `dc=${match[1]},dc=${match[2]},dc=com`;
  }
  if (provider === 'jumpcloud' && bindDn !== undefined) {
    // uid=reader,ou=Users,o=<org>,dc=jumpcloud,dc=com → o=<org>,dc=jumpcloud,dc=com
    const match = /(o=[^,]+,\s*dc=jumpcloud,\s*dc=com)\s*$/i.exec(bindDn);
    if (match) return match[1];
  }
  if (provider === 'cloudron') return 'dc=cloudron';
  return undefined;
}

function safeHost(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}
