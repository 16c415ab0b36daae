import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2E_MODES, GROUPS_DN, SUFFIX, startDirectory, type E2eDirectory } from '../../e2e/harness.js';
import { parseLdif } from '../../e2e/ldap-tools.js';
import { checkPage, launch, newPage as openContext, submitPost as submit } from './console-fixture.js';

/**
 * The admin story of issue 15 against a real `pgdir serve` (both stores): a fresh install, the
 * first-run page makes the owner, the owner creates a user and a group in the console, turns on the
 * directory server with an allowlist (the API, called with the browser's cookie session and CSRF
 * header), and OpenLDAP's ldapsearch finds the user with the group.
 */
const PASSWORD = 'a long enough password';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
}, 90_000);
afterAll(async () => {
  await browser?.close();
});

describe.each(E2E_MODES)('console admin story on $mode', ({ mode }) => {
  let dir: E2eDirectory;
  beforeAll(async () => {
    dir = await startDirectory({ mode, seed: false, plainListener: false });
  }, 120_000);
  afterAll(async () => {
    await dir?.stop();
  });

  it('first-run owner → new user → group → directory server on → ldapsearch finds the user', async () => {
    const { context, page, violations } = await openContext(browser);
    try {
      await page.goto(`${dir.httpUrl}/`);
      await page.getByRole('link', { name: 'No owner exists yet: set up the first owner.' }).click();
      await checkPage(page, `${mode}-setup`);
      await page.getByLabel('Username (letters, digits, . and -)').fill('boss');
      await page.getByLabel('Email').fill('boss@example.com');
      await page.getByLabel('Password (at least 8 characters)').fill(PASSWORD);
      expect(await submit(page, 'Create the owner and sign in')).toBe(303);
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
      expect(violations).toEqual([]);
    } finally {
      await context.close();
    }

    const found = await dir.ldap('ldapsearch', ['-D', dir.adminDn, '-w', dir.adminPassword, '-b', SUFFIX, '-LLL', '(uid=alice)', 'uid', 'mail', 'memberOf']);
    expect(found.code).toBe(0);
    const [entry] = parseLdif(found.stdout);
    expect(entry?.attrs['mail']).toEqual(['alice@example.com']);
    expect(entry?.attrs['uid']).toEqual(['alice']);
    expect(entry?.attrs['memberOf']).toContain(`cn=wonderland,${GROUPS_DN}`);
  }, 180_000);
});
