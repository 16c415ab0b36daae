import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { parseConnectorConfig, parseConnectorSettings } from '../../src/connector/connector-config.js';
import { guidToUuid, uuidToGuid } from '../../src/connector/guid.js';
import { DirectoryError } from '../../src/domain/errors.js';

function issuesOf(raw: unknown): { key: string; message: string }[] {
  try {
    parseConnectorConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).issues];
  }
  throw new Error('expected a ConfigError');
}

describe('connector configuration', () => {
  it('fills the JumpCloud preset, deriving the base from the bind DN', () => {
    const c = parseConnectorConfig({
      provider: 'jumpcloud',
      bind_dn: 'uid=reader,ou=Users,o=123,dc=jumpcloud,dc=com',
      bind_password: 'pw',
      interval: '15m',
    });
    expect(c).toMatchObject({
      url: 'ldaps://ldap.jumpcloud.com:636',
      usersBaseDn: 'ou=Users,o=123,dc=jumpcloud,dc=com',
      groupsBaseDn: 'ou=Users,o=123,dc=jumpcloud,dc=com',
      usersFilter: '(objectClass=inetOrgPerson)',
      usernameAttribute: 'uid',
      idAttribute: 'entryUUID',
      groupsFilter: '(objectClass=groupOfNames)',
      membershipAttribute: 'member',
      onMissing: 'keep',
      intervalMs: 900_000,
      syncGroups: true,
      autoCreate: false,
    });
  });

  it('derives the Okta tree from the URL and uses groupOfUniqueNames', () => {
    const c = parseConnectorConfig({ provider: 'okta', url: 'ldaps://acme.ldap.okta.com' });
    expect(c.usersBaseDn).toBe('ou=users,dc=acme,dc=okta,dc=com');
    expect(c.groupsBaseDn).toBe('ou=groups,dc=acme,dc=okta,dc=com');
    expect(c.membershipAttribute).toBe('uniqueMember');
    expect(c.bindDn).toBeUndefined();
  });

  it('gives Active Directory sAMAccountName, objectGUID and the person filter', () => {
    const c = parseConnectorConfig({ provider: 'ad', url: 'ldaps://dc1.corp.example.com', base_dn: 'dc=corp,dc=example,dc=com' });
    expect(c.usernameAttribute).toBe('sAMAccountName');
    expect(c.idAttribute).toBe('objectGUID');
    expect(c.usersFilter).toBe('(&(objectClass=user)(objectCategory=person))');
    expect(c.usersBaseDn).toBe('dc=corp,dc=example,dc=com');
  });

  it('gives cloudron and pgdir the ou=users/ou=groups layout with entryUUID', () => {
    expect(parseConnectorConfig({ provider: 'cloudron', url: 'ldap://10.0.0.1:3002' })).toMatchObject({
      usersBaseDn: 'ou=users,dc=cloudron',
      usernameAttribute: 'username',
      idAttribute: 'entryUUID',
      usersFilter: '(objectClass=user)',
    });
    expect(parseConnectorConfig({ provider: 'pgdir', url: 'ldaps://a:636', base_dn: 'dc=example,dc=org' }).groupsBaseDn).toBe(
      'ou=groups,dc=example,dc=org',
    );
  });

  it('lets explicit keys override the preset', () => {
    const c = parseConnectorConfig({ provider: 'jumpcloud', base_dn: 'o=1,dc=jumpcloud,dc=com', username_attribute: 'mail', on_missing: 'deactivate', allowed_domains: 'Example.com, @corp.example' });
    expect(c.usernameAttribute).toBe('mail');
    expect(c.onMissing).toBe('deactivate');
    expect(c.allowedDomains).toEqual(['example.com', 'corp.example']);
  });

  it('names the missing key when the preset cannot derive it', () => {
    expect(issuesOf({ provider: 'ad', url: 'ldaps://dc1' })).toEqual([
      { key: 'connector.users_base_dn', message: expect.stringContaining('is required') },
    ]);
    expect(issuesOf({ provider: 'other' }).map((i) => i.key)).toEqual(['connector.url', 'connector.users_base_dn']);
  });

  it('rejects bad values naming the key', () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ provider: 'novell' }, 'connector.provider', /must be one of jumpcloud, okta, ad, cloudron, pgdir, other/],
      [{ url: 'http://x', base_dn: 'dc=x' }, 'connector.url', /ldap:\/\/ or ldaps:\/\//],
      [{ url: 'ldap://x', base_dn: 'dc=x', users_filter: '(uid=a' }, 'connector.users_filter', /not an LDAP filter/],
      [{ url: 'ldap://x', base_dn: 'not a dn' }, 'connector.base_dn', /not a DN/],
      [{ url: 'ldap://x', base_dn: 'dc=x', on_missing: 'delete' }, 'connector.on_missing', /keep, deactivate/],
      [{ url: 'ldap://x', base_dn: 'dc=x', interval: 'soon' }, 'connector.interval', /duration/],
      [{ url: 'ldap://x', base_dn: 'dc=x', bind_dn: 'cn=r,dc=x' }, 'connector.bind_password', /is required with connector.bind_dn/],
      [{ url: 'ldap://x', base_dn: 'dc=x', ca_file: '/ca.pem', accept_self_signed: true }, 'connector.accept_self_signed', /not both/],
      [{ url: 'ldaps://x', base_dn: 'dc=x', start_tls: true }, 'connector.start_tls', /ldap:\/\/ URLs only/],
      [{ url: 'ldap://x', base_dn: 'dc=x', membership_attribute: 'memberOf' }, 'connector.membership_attribute', /member, uniqueMember, memberUid/],
      [{ url: 'ldap://x', base_dn: 'dc=x', allowed_domains: ['not a domain'] }, 'connector.allowed_domains.0', /domain name/],
    ];
    for (const [raw, key, message] of cases) {
      const issues = issuesOf(raw);
      expect(issues[0]?.key, JSON.stringify(raw)).toBe(key);
      expect(issues[0]?.message).toMatch(message);
    }
  });

  it('suggests the closest key for a misspelt one', () => {
    expect(issuesOf({ url: 'ldap://x', base_dn: 'dc=x', user_filter: '(uid=*)' })).toEqual([
      { key: 'connector.user_filter', message: 'unknown key (did you mean connector.users_filter?)' },
    ]);
  });

  it('reports API input as DirectoryError invalid with the field', () => {
    try {
      parseConnectorSettings({ provider: 'ad', url: 'ldaps://dc1' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DirectoryError);
      expect((error as DirectoryError).kind).toBe('invalid');
      expect((error as DirectoryError).field).toBe('connector.users_base_dn');
      expect((error as DirectoryError).status).toBe(400);
    }
  });
});

describe('objectGUID', () => {
  it('reads the first three fields little-endian, as AD tools print it', () => {
    const bytes = Buffer.from('0ab2d3c4e5f60718293a4b5c6d7e8f90', 'hex');
    expect(guidToUuid(bytes)).toBe('c4d3b20a-f6e5-1807-293a-4b5c6d7e8f90');
    expect(uuidToGuid('c4d3b20a-f6e5-1807-293a-4b5c6d7e8f90').equals(bytes)).toBe(true);
    expect(() => guidToUuid(Buffer.alloc(15))).toThrow(/16 bytes/);
  });
});
