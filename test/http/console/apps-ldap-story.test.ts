import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2E_MODES, SUFFIX, startDirectory, type E2eDirectory } from '../../e2e/harness.js';
import { checkPage, launch, openContext, submit } from './browser-kit.js';

/**
 * Issue 16 in the console against a real `pgdir serve` (both stores): the owner creates an
 * application in the browser, and OpenLDAP's ldapwhoami binds as it over LDAPS with the secret the
 * page showed; the page's ldapsearch line names this server's listener, CA file and the app's view.
 * After a new secret (made in the console) the old one gets 49 and the new one binds.
 */
const PASSWORD = 'a long enough password';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
}, 90_000);
afterAll(async () => {
  await browser?.close();
});

describe.each(E2E_MODES)('an application made in the console binds over LDAP on $mode', ({ mode }) => {
  let dir: E2eDirectory;
  beforeAll(async () => {
    dir = await startDirectory({ mode, seed: false, plainListener: false });
  }, 120_000);
  afterAll(async () => {
    await dir?.stop();
  });

  it('create in the console → ldapwhoami with the shown secret; rotate → old secret refused', async () => {
    const { context, page, violations } = await openContext(browser);
    let secret = '';
    let rotated = '';
    try {
      await page.goto(`${dir.httpUrl}/setup`);
      await page.getByLabel('Username (letters, digits, . and -)').fill('boss');
      await page.getByLabel('Email').fill('boss@example.com');
      await page.getByLabel('Password (at least 8 characters)').fill(PASSWORD);
      expect(await submit(page, 'Create the owner and sign in')).toBe(303);

      await page.goto(`${dir.httpUrl}/apps/new`);
      await page.getByLabel('Name (letters, digits, . and -)').fill('wiki');
      await page.getByLabel('Everyone (every active user)').check();
      expect(await submit(page, 'Create the application')).toBe(201);
      secret = (await page.locator('#new-secret').innerText()).trim();
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
      rotated = (await page.locator('#new-secret').innerText()).trim();
      expect(violations).toEqual([]);
    } finally {
      await context.close();
    }
    expect((await dir.ldap('ldapwhoami', ['-D', `cn=wiki,ou=apps,${SUFFIX}`, '-w', secret])).code).toBe(49);
    expect((await dir.ldap('ldapwhoami', ['-D', `cn=wiki,ou=apps,${SUFFIX}`, '-w', rotated])).code).toBe(0);
  }, 180_000);
});
