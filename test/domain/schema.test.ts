import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allAttributeTypes, attributeKey, lookupAttribute } from '../../src/domain/attribute-schema.js';
import { LDAP_SYNTAXES } from '../../src/domain/ldap-syntaxes.js';
import { lookupMatchingRule, MATCHING_RULES } from '../../src/domain/matching-rules.js';
import { allObjectClasses, lookupObjectClass } from '../../src/domain/object-class-schema.js';
import {
  subschemaAttributeTypes,
  subschemaLdapSyntaxes,
  subschemaMatchingRules,
  subschemaMatchingRuleUse,
  subschemaObjectClasses,
} from '../../src/domain/subschema.js';

/** Every attribute DESIGN §3 says pgdir emits, and the ones clients filter on (clients.md §7). */
const EMITTED = [
  'objectClass', 'objectCategory', 'cn', 'uid', 'username', 'sAMAccountName', 'mail', 'mailAlternateAddress',
  'displayName', 'givenName', 'sn', 'memberOf', 'uidNumber', 'gidNumber', 'homeDirectory', 'loginShell', 'gecos',
  'entryUUID', 'entryDN', 'createTimestamp', 'modifyTimestamp', 'pwdChangedTime', 'structuralObjectClass',
  'hasSubordinates', 'subschemaSubentry', 'description', 'member', 'uniqueMember', 'memberUid', 'ou', 'dc', 'o',
  'namingContexts', 'defaultNamingContext', 'supportedLDAPVersion', 'supportedControl', 'supportedExtension',
  'supportedFeatures', 'vendorName', 'vendorVersion', 'attributeTypes', 'objectClasses', 'matchingRules',
  'matchingRuleUse', 'ldapSyntaxes',
];
const FILTERED = ['userPrincipalName', 'email', 'nsAccountLock', 'userAccountControl', 'jpegPhoto',
  'sshPublicKey', 'shadowExpire', 'pwdAccountLockedTime', 'userPassword'];
const CLASSES = ['top', 'person', 'organizationalPerson', 'inetOrgPerson', 'user', 'posixAccount', 'shadowAccount',
  'group', 'groupOfNames', 'groupOfUniqueNames', 'posixGroup', 'dcObject', 'organization', 'organizationalUnit',
  'organizationalRole', 'simpleSecurityObject', 'subentry', 'subschema', 'extensibleObject', 'applicationProcess'];

describe('attribute schema lookup', () => {
  it.each([
    ['userid', 'uid'], ['UID', 'uid'], ['commonName', 'cn'], ['surname', 'sn'], ['gn', 'givenName'],
    ['rfc822Mailbox', 'mail'], ['2.5.4.3', 'cn'], ['0.9.2342.19200300.100.1.1', 'uid'], ['memberof', 'memberOf'],
    ['ENTRYUUID', 'entryUUID'], ['cn;lang-en', 'cn'], ['userCertificate;binary', undefined], ['emailAddress', 'email'],
    ['domainComponent', 'dc'], ['organizationalUnitName', 'ou'], ['nosuchattr', undefined],
  ])('%s → %s', (input, canonical) => {
    expect(lookupAttribute(input)?.name).toBe(canonical);
  });

  it('keeps email (PKCS#9) distinct from mail', () => {
    expect(lookupAttribute('email')?.oid).toBe('1.2.840.113549.1.9.1');
    expect(attributeKey('email')).not.toBe(attributeKey('mail'));
  });

  it('gives entry keys in lower case, options stripped, unknown names kept', () => {
    expect(attributeKey('givenName')).toBe('givenname');
    expect(attributeKey('GN')).toBe('givenname');
    expect(attributeKey('2.5.4.4')).toBe('sn');
    expect(attributeKey('CN;lang-de')).toBe('cn');
    expect(attributeKey('Enable;x')).toBe('enable');
  });

  it('marks operational attributes and leaves memberOf a user attribute', () => {
    const op = (n: string): boolean | undefined => lookupAttribute(n)?.operational;
    for (const n of ['entryUUID', 'entryDN', 'createTimestamp', 'modifyTimestamp', 'pwdChangedTime',
      'structuralObjectClass', 'hasSubordinates', 'subschemaSubentry', 'namingContexts', 'supportedControl']) {
      expect(op(n), n).toBe(true);
    }
    for (const n of ['memberOf', 'uid', 'cn', 'mail', 'uidNumber', 'member', 'objectClass']) expect(op(n), n).toBe(false);
    expect(lookupAttribute('entryUUID')?.noUserModification).toBe(true);
    expect(lookupAttribute('namingContexts')?.usage).toBe('dSAOperation');
    expect(lookupAttribute('displayName')?.singleValue).toBe(true);
    expect(lookupAttribute('mail')?.singleValue).toBe(false);
  });

  it('gives each attribute the rules of its syntax', () => {
    expect(lookupAttribute('uidNumber')).toMatchObject({ equality: 'integerMatch', ordering: 'integerOrderingMatch' });
    expect(lookupAttribute('modifyTimestamp')).toMatchObject({ ordering: 'generalizedTimeOrderingMatch' });
    expect(lookupAttribute('entryUUID')).toMatchObject({ equality: 'UUIDMatch', syntax: '1.3.6.1.1.16.1' });
    expect(lookupAttribute('member')).toMatchObject({ equality: 'distinguishedNameMatch' });
    expect(lookupAttribute('mail')).toMatchObject({ equality: 'caseIgnoreIA5Match', substr: 'caseIgnoreIA5SubstringsMatch' });
  });

  it('finds object classes by name or OID in any case', () => {
    expect(lookupObjectClass('INETORGPERSON')?.name).toBe('inetOrgPerson');
    expect(lookupObjectClass('2.5.6.9')?.name).toBe('groupOfNames');
    expect(lookupObjectClass('posixgroup')?.kind).toBe('AUXILIARY');
    expect(lookupObjectClass('user')?.oid).toMatch(/^1\.3\.6\.1\.4\.1\.99999\./);
    expect(lookupObjectClass('univentionGroup')).toBeUndefined();
  });
});

describe('schema consistency', () => {
  it('covers every emitted and commonly filtered attribute and every class', () => {
    for (const name of [...EMITTED, ...FILTERED]) expect(lookupAttribute(name)?.name, name).toBe(name);
    for (const name of CLASSES) expect(lookupObjectClass(name)?.name, name).toBe(name);
  });

  it('references only defined attributes, classes, rules and syntaxes', () => {
    const syntaxes = new Set(LDAP_SYNTAXES.map((s) => s.oid));
    for (const t of allAttributeTypes()) {
      expect(syntaxes.has(t.syntax), `${t.name} syntax`).toBe(true);
      for (const r of [t.equality, t.ordering, t.substr]) {
        if (r !== undefined) expect(lookupMatchingRule(r)?.name, `${t.name} ${r}`).toBe(r);
      }
      if (t.ordering !== undefined) expect(lookupMatchingRule(t.ordering)?.kind).toBe('ordering');
      if (t.substr !== undefined) expect(lookupMatchingRule(t.substr)?.kind).toBe('substrings');
    }
    for (const c of allObjectClasses()) {
      for (const a of [...c.must, ...c.may]) expect(lookupAttribute(a)?.name, `${c.name} → ${a}`).toBe(a);
      if (c.sup !== undefined) expect(lookupObjectClass(c.sup), `${c.name} SUP`).toBeDefined();
    }
    for (const r of MATCHING_RULES) expect(syntaxes.has(r.syntax), r.name).toBe(true);
  });

  it('uses unique OIDs', () => {
    const oids = [...allAttributeTypes().map((t) => t.oid), ...allObjectClasses().map((c) => c.oid)];
    expect(new Set(oids).size).toBe(oids.length);
  });

  it('formats RFC 4512 descriptions', () => {
    expect(subschemaAttributeTypes()).toContain(
      "( 1.3.6.1.1.16.4 NAME 'entryUUID' EQUALITY UUIDMatch ORDERING UUIDOrderingMatch SYNTAX 1.3.6.1.1.16.1 " +
        'SINGLE-VALUE NO-USER-MODIFICATION USAGE directoryOperation )',
    );
    expect(subschemaObjectClasses()).toContain(
      "( 1.3.6.1.1.1.2.2 NAME 'posixGroup' SUP top AUXILIARY MUST gidNumber MAY ( cn $ userPassword $ memberUid $ description ) )",
    );
    expect(subschemaMatchingRules()).toContain("( 2.5.13.2 NAME 'caseIgnoreMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )");
    expect(subschemaLdapSyntaxes()).toContain("( 1.3.6.1.4.1.1466.115.121.1.12 DESC 'Distinguished Name' )");
    expect(subschemaMatchingRuleUse().find((d) => d.startsWith('( 2.5.13.14 '))).toMatch(/APPLIES \(.*uidNumber \$ gidNumber/);
  });
});

const PYTHON = '/usr/bin/python3';
/** Parses our subschema with python3-ldap3 and runs ldap3's own name and value checks on it. */
const LDAP3_CHECK = String.raw`
import json, sys
from ldap3.protocol.rfc4512 import SchemaInfo
from ldap3.protocol.convert import validate_attribute_value
from ldap3.protocol.formatters.standard import format_attribute_values
from ldap3.operation.search import parse_filter
data = json.load(sys.stdin)
problems = []
schema = SchemaInfo('cn=Subschema', dict(data['schema']), {})
for name in data['attributes']:
    if name not in schema.attribute_types: problems.append('attribute unknown to ldap3: ' + name)
for name in data['classes']:
    if name not in schema.object_classes: problems.append('class unknown to ldap3: ' + name)
for oc in schema.object_classes.values():
    for a in (oc.must_contain or []) + (oc.may_contain or []):
        if a not in schema.attribute_types: problems.append(oc.name[0] + ' references ' + a)
for at in schema.attribute_types.values():
    for rule in (at.equality or []) + (at.ordering or []) + (getattr(at, 'substr', None) or []):
        if rule not in schema.matching_rules: problems.append(at.name[0] + ' uses unknown rule ' + rule)
    if at.syntax not in schema.ldap_syntaxes: problems.append(at.name[0] + ' uses unknown syntax ' + str(at.syntax))
for entry in data['entries']:
    for name, values in entry.items():
        for v in values:
            try: validate_attribute_value(schema, name, v, True, check_names=True)
            except Exception as e: problems.append('value %s=%s: %r' % (name, v, e))
        try: format_attribute_values(schema, name, [v.encode() for v in values], None)
        except Exception as e: problems.append('format %s: %r' % (name, e))
for f in data['filters']:
    try: parse_filter(f, schema, True, True, None, True)
    except Exception as e: problems.append('filter %s: %r' % (f, e))
print(json.dumps({'problems': problems, 'attributes': len(schema.attribute_types), 'classes': len(schema.object_classes),
  'memberOfSyntax': schema.attribute_types['memberOf'].syntax, 'userKind': schema.object_classes['user'].kind,
  'cnAliases': schema.attribute_types['commonName'].name}))
`;

const USER = {
  objectClass: ['top', 'person', 'organizationalPerson', 'inetOrgPerson', 'user', 'posixAccount', 'shadowAccount'],
  objectCategory: ['person'], cn: ['uid-0b6f3c1e-7d2a-4c55-9a0e-3f1d2c4b5a69'], uid: ['alice'], username: ['alice'],
  sAMAccountName: ['alice'], mail: ['alice@example.com'], mailAlternateAddress: ['a@example.org'],
  displayName: ['Alice Liddell'], givenName: ['Alice'], sn: ['Liddell'],
  memberOf: ['cn=users,ou=groups,dc=example,dc=com'], uidNumber: ['10001'], gidNumber: ['10000'],
  homeDirectory: ['/home/alice'], loginShell: ['/bin/bash'], gecos: ['Alice Liddell'], entryUUID: ['0b6f3c1e-7d2a-4c55-9a0e-3f1d2c4b5a69'],
  entryDN: ['cn=uid-0b6f3c1e-7d2a-4c55-9a0e-3f1d2c4b5a69,ou=users,dc=example,dc=com'],
  createTimestamp: ['20240102030405Z'], modifyTimestamp: ['20240102030405Z'], pwdChangedTime: ['20240102030405Z'],
  structuralObjectClass: ['inetOrgPerson'], hasSubordinates: ['FALSE'], subschemaSubentry: ['cn=Subschema'],
};
const GROUP = {
  objectClass: ['top', 'group', 'groupOfNames', 'groupOfUniqueNames', 'posixGroup'], cn: ['admins'],
  gidNumber: ['10001'], description: ['Administrators'], member: [USER.entryDN[0] as string],
  uniqueMember: [USER.entryDN[0] as string], memberUid: ['alice'],
};
const ROOT_DSE = {
  objectClass: ['top'], namingContexts: ['dc=example,dc=com'], defaultNamingContext: ['dc=example,dc=com'],
  supportedLDAPVersion: ['3'], supportedControl: ['1.2.840.113556.1.4.319'],
  supportedExtension: ['1.3.6.1.4.1.4203.1.11.3'], supportedFeatures: ['1.3.6.1.4.1.4203.1.5.1'],
  subschemaSubentry: ['cn=Subschema'], vendorName: ['pgdir'], vendorVersion: ['0.1.0'],
};
const OTHERS = [
  { objectClass: ['top', 'dcObject', 'organization'], dc: ['example'], o: ['Example'] },
  { objectClass: ['top', 'organizationalUnit'], ou: ['users'] },
  { objectClass: ['top', 'subentry', 'subschema', 'extensibleObject'], cn: ['Subschema'] },
  { objectClass: ['top', 'applicationProcess'], cn: ['wiki'], description: ['the team wiki'] },
];
const CLIENT_FILTERS = [
  '(&(objectclass=person)(uid=alice))', '(&(objectClass=person)(|(uid=alice)(mail=alice)))',
  '(&(uid=alice)(objectclass=posixAccount)(uid=*)(&(uidNumber=*)(!(uidNumber=0))))',
  '(&(memberuid=alice)(objectclass=posixGroup)(cn=*)(&(gidNumber=*)(!(gidNumber=0))))',
  '(|(createTimestamp>=20240101000000Z)(modifyTimestamp>=20240101000000Z))', '(entryUUID=0b6f3c1e-7d2a-4c55-9a0e-3f1d2c4b5a69)',
  '(|(mail=x)(email=x)(userPrincipalName=x))', '(!(nsAccountLock=TRUE))', '(objectClass=user)', '(objectclass=group)',
  '(|(objectClass=group)(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))', '(memberOf=cn=admins,ou=groups,dc=example,dc=com)',
  '(objectCategory=person)', '(sAMAccountName=alice)', '(gecos=*)', '(objectClass=subschema)',
];

describe.skipIf(!existsSync(PYTHON))('subschema read by python3-ldap3', () => {
  it('parses every definition, knows every name and accepts pgdir entries and client filters', () => {
    const input = {
      schema: {
        attributeTypes: subschemaAttributeTypes(), objectClasses: subschemaObjectClasses(),
        matchingRules: subschemaMatchingRules(), matchingRuleUse: subschemaMatchingRuleUse(),
        ldapSyntaxes: subschemaLdapSyntaxes(),
      },
      attributes: allAttributeTypes().flatMap((t) => [...t.names, t.oid]),
      classes: allObjectClasses().flatMap((c) => [c.name, c.oid]),
      entries: [USER, GROUP, ROOT_DSE, ...OTHERS],
      filters: CLIENT_FILTERS,
    };
    const run = spawnSync(PYTHON, ['-c', LDAP3_CHECK], { input: JSON.stringify(input), encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(result.problems).toEqual([]);
    expect(result.attributes).toBe(allAttributeTypes().length);
    expect(result.classes).toBe(allObjectClasses().length);
    expect(result.memberOfSyntax).toBe('1.3.6.1.4.1.1466.115.121.1.12');
    expect(result.userKind).toBe('AUXILIARY');
    expect(result.cnAliases).toEqual(['cn', 'commonName']);
  });
});
