import { describe, expect, it } from 'vitest';
import { normalizeDisplayName } from '../../src/domain/display-name.js';
import { normalizeEmail, normalizeOptionalEmail } from '../../src/domain/email.js';
import { DirectoryError } from '../../src/domain/errors.js';
import { normalizeGroupName } from '../../src/domain/group-name.js';
import { checkPassword } from '../../src/domain/password-rules.js';
import { BUILTIN_GROUP_NAMES, isBuiltinGroupName, RESERVED_USERNAMES } from '../../src/domain/reserved-names.js';
import { isAtLeast, isHigherRole, parseRole, roleRank } from '../../src/domain/roles.js';
import { normalizeUsername } from '../../src/domain/username.js';

/** Runs `fn` and returns the DirectoryError it throws (fails the test when it does not). */
function failure(fn: () => unknown): DirectoryError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DirectoryError);
    return error as DirectoryError;
  }
  throw new Error('expected a DirectoryError');
}

describe('normalizeUsername', () => {
  it.each([
    ['alice', 'alice'],
    ['  Alice.Smith ', 'alice.smith'],
    ['a', 'a'],
    ['x-1.y', 'x-1.y'],
    ['ROOTS', 'roots'],
    ['administrator', 'administrator'],
    ['app', 'app'],
    ['apple.pie', 'apple.pie'],
    ['0a1b2c3d-uuid-like', '0a1b2c3d-uuid-like'],
  ])('accepts %j as %j', (input, stored) => {
    expect(normalizeUsername(input)).toBe(stored);
  });

  it('accepts exactly 199 characters', () => {
    expect(normalizeUsername('a'.repeat(199))).toBe('a'.repeat(199));
  });

  it.each([
    ['', 'username must not be empty'],
    ['   ', 'username must not be empty'],
    ['a'.repeat(200), 'username must be at most 199 characters (got 200)'],
    ['al ice', 'username "al ice" may contain only letters, digits, "." and "-"'],
    ['alice_b', 'username "alice_b" may contain only letters, digits, "." and "-"'],
    ['alice@x', 'username "alice@x" may contain only letters, digits, "." and "-"'],
    ['ålice', 'username "ålice" may contain only letters, digits, "." and "-"'],
    ['a+b', 'username "a+b" may contain only letters, digits, "." and "-"'],
    ['a\nb', 'username "a?b" may contain only letters, digits, "." and "-"'],
    ['Admin', 'username "admin" is reserved'],
    ['root', 'username "root" is reserved'],
    ['no-reply', 'username "no-reply" is reserved'],
    ['POSTMASTER', 'username "postmaster" is reserved'],
    ['mailer-daemon', 'username "mailer-daemon" is reserved'],
    ['users', 'username "users" is reserved'],
    ['admins', 'username "admins" is reserved'],
    ['my.app', 'username "my.app" must not contain ".app"'],
    ['x.APPle', 'username "x.apple" must not contain ".app"'],
    ['uid-1234', 'username "uid-1234" must not start with "uid-"'],
  ])('rejects %j: %s', (input, message) => {
    const error = failure(() => normalizeUsername(input));
    expect(error).toMatchObject({ kind: 'invalid', status: 400, field: 'username', message });
  });

  it.each([[null], [undefined], [42], [{}]])('rejects non-string %j', (input) => {
    expect(failure(() => normalizeUsername(input))).toMatchObject({ message: 'username must be a string', field: 'username' });
  });

  it('reports the field it was given', () => {
    expect(failure(() => normalizeUsername('root', 'rows[3].username')).field).toBe('rows[3].username');
  });

  it('covers every reserved name', () => {
    expect([...RESERVED_USERNAMES].sort()).toEqual(
      ['admin', 'admins', 'mailer-daemon', 'no-reply', 'postmaster', 'root', 'users'],
    );
    for (const name of RESERVED_USERNAMES) expect(() => normalizeUsername(name)).toThrow(/is reserved/);
  });
});

describe('normalizeGroupName', () => {
  it.each([
    ['staff', 'staff'],
    [' Dev.Ops-2 ', 'dev.ops-2'],
    ['admin', 'admin'], // reserved as a username only
    ['my.app', 'my.app'],
    ['users2', 'users2'],
  ])('accepts %j as %j', (input, stored) => expect(normalizeGroupName(input)).toBe(stored));

  it.each([
    ['', 'invalid', 'group name must not be empty'],
    ['dev ops', 'invalid', 'group name "dev ops" may contain only letters, digits, "." and "-"'],
    ['x'.repeat(200), 'invalid', 'group name must be at most 199 characters (got 200)'],
    ['users', 'conflict', 'group "users" is built in and maintained automatically'],
    [' ADMINS ', 'conflict', 'group "admins" is built in and maintained automatically'],
  ])('rejects %j (%s): %s', (input, kind, message) => {
    expect(failure(() => normalizeGroupName(input))).toMatchObject({ kind, field: 'name', message });
  });

  it('built-in groups: 409', () => {
    expect(failure(() => normalizeGroupName('users')).status).toBe(409);
    expect(BUILTIN_GROUP_NAMES).toEqual(['users', 'admins']);
    expect(isBuiltinGroupName(' Users')).toBe(true);
    expect(isBuiltinGroupName('staff')).toBe(false);
  });
});

describe('normalizeEmail', () => {
  it.each([
    ['alice@example.com', 'alice@example.com'],
    ['  Alice.Smith@Example.COM ', 'alice.smith@example.com'],
    ['a+tag@sub.example.org', 'a+tag@sub.example.org'],
    ["o'hara@example.ie", "o'hara@example.ie"],
    ['root@localhost', 'root@localhost'],
    ['x@xn--bcher-kva.example', 'x@xn--bcher-kva.example'],
    ['x@Bücher.example', 'x@bücher.example'],
  ])('accepts %j as %j', (input, stored) => expect(normalizeEmail(input)).toBe(stored));

  it.each([
    ['', 'email must not be empty'],
    ['alice', 'email "alice" is not a valid email address'],
    ['@example.com', 'email "@example.com" is not a valid email address'],
    ['alice@', 'email "alice@" is not a valid email address'],
    ['al ice@example.com', 'email "al ice@example.com" is not a valid email address'],
    ['alice@exa mple.com', 'email "alice@exa mple.com" is not a valid email address'],
    ['a@b@example.com', 'email "a@b@example.com" is not a valid email address'],
    ['.alice@example.com', 'email ".alice@example.com" is not a valid email address'],
    ['alice..b@example.com', 'email "alice..b@example.com" is not a valid email address'],
    ['alice@example..com', 'email "alice@example..com" is not a valid email address'],
    ['alice@-example.com', 'email "alice@-example.com" is not a valid email address'],
    ['alice@example.com.', 'email "alice@example.com." is not a valid email address'],
    ['"a b"@example.com', 'email ""a b"@example.com" is not a valid email address'],
    ['a,b@example.com', 'email "a,b@example.com" is not a valid email address'],
    [`${'a'.repeat(65)}@example.com`, `email "${'a'.repeat(61)}..." is not a valid email address`],
    [`a@${'b'.repeat(250)}.com`, 'email must be at most 254 characters'],
  ])('rejects %j: %s', (input, message) => {
    expect(failure(() => normalizeEmail(input))).toMatchObject({ kind: 'invalid', field: 'email', message });
  });

  it('rejects non-strings and names the field', () => {
    expect(failure(() => normalizeEmail(7, 'fallbackEmail'))).toMatchObject({
      field: 'fallbackEmail',
      message: 'fallbackEmail must be a string',
    });
  });

  it('optional emails: blank means none', () => {
    expect(normalizeOptionalEmail(undefined, 'fallbackEmail')).toBeNull();
    expect(normalizeOptionalEmail(null, 'fallbackEmail')).toBeNull();
    expect(normalizeOptionalEmail('  ', 'fallbackEmail')).toBeNull();
    expect(normalizeOptionalEmail('B@X.org', 'fallbackEmail')).toBe('b@x.org');
    expect(failure(() => normalizeOptionalEmail('nope', 'fallbackEmail')).field).toBe('fallbackEmail');
  });
});

describe('normalizeDisplayName', () => {
  it.each([
    ['Alice Smith', 'Alice Smith'],
    ['  Alice   van  der Berg ', 'Alice van der Berg'],
    ['', ''],
    [undefined, ''],
    [null, ''],
    ['Zoë 李', 'Zoë 李'],
    ['😀'.repeat(255), '😀'.repeat(255)],
  ])('accepts %j as %j', (input, stored) => expect(normalizeDisplayName(input)).toBe(stored));

  it.each([
    ['a\u0000b', 'name must not contain control characters'],
    ['a\nb', 'name must not contain control characters'],
    ['a\u0085b', 'name must not contain control characters'],
    ['a\u2028b', 'name must not contain control characters'],
    ['x'.repeat(256), 'name must be at most 255 characters (got 256)'],
    [12, 'name must be a string'],
  ])('rejects %j: %s', (input, message) => {
    expect(failure(() => normalizeDisplayName(input))).toMatchObject({ kind: 'invalid', field: 'name', message });
  });
});

describe('roles', () => {
  it.each([
    ['user', 'user'],
    [' Admin ', 'admin'],
    ['USERMANAGER', 'usermanager'],
    ['mailmanager', 'mailmanager'],
    ['owner', 'owner'],
  ])('parseRole(%j) = %j', (input, role) => expect(parseRole(input)).toBe(role));

  it.each([
    ['superuser', 'unknown role "superuser"; valid roles are user, usermanager, mailmanager, admin, owner'],
    ['', 'unknown role ""; valid roles are user, usermanager, mailmanager, admin, owner'],
    [3, 'unknown role 3; valid roles are user, usermanager, mailmanager, admin, owner'],
    [undefined, 'unknown role undefined; valid roles are user, usermanager, mailmanager, admin, owner'],
  ])('parseRole(%j) fails: %s', (input, message) => {
    expect(failure(() => parseRole(input))).toMatchObject({ kind: 'invalid', status: 400, field: 'role', message });
  });

  it('orders roles lowest to highest', () => {
    expect(['user', 'usermanager', 'mailmanager', 'admin', 'owner'].map((r) => roleRank(parseRole(r)))).toEqual([0, 1, 2, 3, 4]);
    expect(isHigherRole('admin', 'mailmanager')).toBe(true);
    expect(isHigherRole('admin', 'admin')).toBe(false);
    expect(isAtLeast('admin', 'admin')).toBe(true);
    expect(isAtLeast('usermanager', 'mailmanager')).toBe(false);
  });
});

describe('checkPassword', () => {
  it.each([
    ['12345678'],
    ['x'.repeat(256)],
    ['pässwörd'],
    ['😀'.repeat(8)],
    ['😀'.repeat(256)], // 512 UTF-16 units, 256 characters
    ['with space  '],
  ])('accepts %j', (pw) => expect(checkPassword(pw)).toBe(pw));

  it.each([
    ['1234567', 'password must be at least 8 characters'],
    ['', 'password must be at least 8 characters'],
    ['😀'.repeat(7), 'password must be at least 8 characters'],
    ['x'.repeat(257), 'password must be at most 256 characters'],
    ['abcd\u0000efgh', 'password must not contain NUL characters'],
    [12345678, 'password must be a string'],
    [null, 'password must be a string'],
  ])('rejects %j: %s', (pw, message) => {
    expect(failure(() => checkPassword(pw))).toMatchObject({ kind: 'invalid', field: 'password', message });
  });
});
