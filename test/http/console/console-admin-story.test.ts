import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { E2E_MODES, GROUPS_DN, SUFFIX, startDirectory, type E2eDirectory } from '../../e2e/harness.js';
import { parseLdif } from '../../e2e/ldap-tools.js';
import { checkPage, launch, newPage, submitPost as submit, type OpenPage } from './console-fixture.js';

/**
 * The console against a real `pgdir serve` (both stores), one daemon per store for both stories:
 * - issue 15's admin story: a fresh install, the first-run page makes the owner, the owner creates
 *   a user and a group in the console, turns on the directory server with an allowlist (the API,
 *   called with the browser's cookie session and CSRF header), and OpenLDAP's ldapsearch finds the
 *   user with the group;
 * - issue 16's application story: the owner creates an application in the browser, and OpenLDAP's
 *   ldapwhoami binds as it over LDAPS with the secret the page showed; the page's ldapsearch line
 *   names this server's listener, CA file and the app's view. After a new secret (made in the
 *   console) the old one gets 49 and the new one binds.
 * Each test gets a fresh browser profile whose CSP violations fail it; either test also runs alone
 * (the application story makes the owner through the first-run page when the admin story did not).
 */
const PASSWORD = 'a long enough password';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
}, 90_000);
afterAll(async () => {
  await browser?.close();
});

describe.each(E2E_MODES)('console stories against pgdir serve on $mode', ({ mode }) => {
  let dir: E2eDirectory;
  let opened: OpenPage;
  let page: Page;
  beforeAll(async () => {
    dir = await startDirectory({ mode, seed: false, plainListener: false });
  }, 120_000);
  afterAll(async () => {
    await dir?.stop();
  });
  beforeEach(async () => {
    opened = await newPage(browser);
    page = opened.page;
  });
  afterEach(async () => {
    await opened.context.close();
    expect(opened.violations).toEqual([]);
  });

  /** The first-run form: only while no owner exists, and it signs the new owner in. */
  const setUpOwner = async () => {
    await page.getByLabel('Username (letters, digits, . and -)').fill('boss');
    await page.getByLabel('Email').fill('boss@example.com');
    await page.getByLabel('Password (at least 8 characters)').fill(PASSWORD);
    expect(await submit(page, 'Create the owner and sign in')).toBe(303);
  };

  it('first-run owner → new user → group → directory server on → ldapsearch finds the user', async () => {
    await page.goto(`${dir.httpUrl}/`);
    await page.getByRole('link', { name: 'No owner exists yet: set up the first owner.' }).click();
    await checkPage(page, `${mode}-setup`);
    await setUpOwner();
    expect(new URL(page.url()).pathname).toBe('/users');
    expect((await page.goto(`${dir.httpUrl}/setup`))?.status()).toBe(404); // closed once an owner exists

    await page.goto(`${dir.httpUrl}/users/new`);
    await page.getByLabel('Email', { exact: true }).fill('alice@example.com');
    await page.getByLabel('Username (letters, digits, . and -; empty: they choose it with the invite)').fill('alice');
    await page.getByLabel('Full name').fill('Alice Liddell');
    await page.getByLabel('Set a password now').check();
    await page.getByLabel('Password (at least 8 characters)').fill(PASSWORD);
    expect(await submit(page, 'Create user')).toBe(303);
    expect(await page.getByRole('status').innerText()).toBe('The user was created.');

    await page.goto(`${dir.httpUrl}/groups/new`);
    await page.getByLabel('Name (letters, digits, . and -)').fill('wonderland');
    expect(await submit(page, 'Create group')).toBe(303);
    await page.getByLabel('Find a user to add').fill('alice');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.waitForURL(/find=alice/);
    expect(await submit(page, 'Add alice')).toBe(200);

    const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
    const put = await page.request.put(`${dir.httpUrl}/api/v1/settings/directory-server`, {
      headers: { 'x-csrf-token': csrf },
      data: { enabled: true, allowlist: '127.0.0.1\n::1' },
    });
    expect(put.status()).toBe(200);
    expect(await put.json()).toMatchObject({ enabled: true, allowlist: '127.0.0.1\n::1' });

    const found = await dir.ldap('ldapsearch', ['-D', dir.adminDn, '-w', dir.adminPassword, '-b', SUFFIX, '-LLL', '(uid=alice)', 'uid', 'mail', 'memberOf']);
    expect(found.code).toBe(0);
    const [entry] = parseLdif(found.stdout);
    expect(entry?.attrs['mail']).toEqual(['alice@example.com']);
    expect(entry?.attrs['uid']).toEqual(['alice']);
    expect(entry?.attrs['memberOf']).toContain(`cn=wonderland,${GROUPS_DN}`);
  }, 180_000);

  it('an application made in the console: ldapwhoami with the shown secret; rotate → old secret refused', async () => {
    // The owner the admin story made signs in; alone, this test makes it through the first-run page.
    const setup = await page.goto(`${dir.httpUrl}/setup`);
    if (setup?.status() === 200) {
      await setUpOwner();
    } else {
      await page.goto(`${dir.httpUrl}/`);
      await page.getByLabel('Username or email').fill('boss');
      await page.getByLabel('Password').fill(PASSWORD);
      expect(await submit(page, 'Sign in')).toBe(303);
    }

    await page.goto(`${dir.httpUrl}/apps/new`);
    await page.getByLabel('Name (letters, digits, . and -)').fill('wiki');
    await page.getByLabel('Everyone (every active user)').check();
    expect(await submit(page, 'Create the application')).toBe(201);
    const secret = (await page.locator('#new-secret').innerText()).trim();
    const line = await page.locator('pre.command').innerText();
    expect(line).toMatch(/^LDAPTLS_CACERT=\S+ /); // the certificate file the listener presents
    expect(line.replace(/^LDAPTLS_CACERT=\S+ /, '')).toBe(`ldapsearch -H ldaps://127.0.0.1:${dir.ldapsPort} -D cn=wiki,ou=apps,${SUFFIX} -W -b ou=users,ou=wiki,ou=apps,${SUFFIX} '(objectClass=person)' uid mail`);
    await checkPage(page, `${mode}-app-created-daemon`);

    const whoami = await dir.ldap('ldapwhoami', ['-D', `cn=wiki,ou=apps,${SUFFIX}`, '-w', secret]);
    expect(whoami.stderr).toBe('');
    expect(whoami.code).toBe(0);
    expect(whoami.stdout.trim()).toBe(`dn:cn=wiki,ou=apps,${SUFFIX}`);

    await page.getByRole('link', { name: 'Open the application' }).click();
    expect(await submit(page, 'Make a new secret')).toBe(200);
    expect(await submit(page, 'Yes, make a new secret for wiki')).toBe(201);
    const rotated = (await page.locator('#new-secret').innerText()).trim();
    expect((await dir.ldap('ldapwhoami', ['-D', `cn=wiki,ou=apps,${SUFFIX}`, '-w', secret])).code).toBe(49);
    expect((await dir.ldap('ldapwhoami', ['-D', `cn=wiki,ou=apps,${SUFFIX}`, '-w', rotated])).code).toBe(0);
  }, 180_000);
});
