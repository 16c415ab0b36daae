import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { storeModes } from '../../helpers/databases.js';
import { startApi, type Api } from '../http-fixture.js';
import { csrfOf, expectAccessible, focused, submitPost, useConsoleBrowser } from './console-fixture.js';

/**
 * The users import with a file (multipart form, no JavaScript needed) as a job: its progress
 * page, then the per-row report; the size limit's clear refusal; the no-JavaScript Refresh path;
 * CSRF on the upload. The API's import limit is 8 KiB here so that "too large" is cheap to send.
 */
const LIMIT = 8 * 1024;
const csvOf = (from: number, count: number): string =>
  `username,email,full name\n${Array.from({ length: count }, (_, i) => `up${from + i},up${from + i}@example.com,Up ${from + i}`).join('\n')}\n`;

describe.each(storeModes)('users import pages on $mode', (mode) => {
  const ui = useConsoleBrowser({ mode, start: (m) => startApi(m, { maxImportBytes: LIMIT }) });
  let api: Api;
  let page: Page;
  beforeEach(() => {
    ({ api, page } = ui);
  });
  const exists = async (ref: string) => (await api.call('GET', `/api/v1/users/${ref}`, { token: api.ownerToken })).status === 200;
  const reportOf = (p: Page) => p.locator('#import-progress').getByRole('status').innerText();

  it('a CSV file and a JSON file are imported as jobs, with the report at the end; the file field is reached by keyboard', async () => {
    await ui.signIn('owner');
    await page.goto(`${api.base}/users/import`);
    await ui.check('import-form');
    await page.keyboard.press('Tab'); // the skip link first, then on through the page
    let guard = 0;
    while ((await focused(page)).id !== 'f-file' && guard++ < 40) await page.keyboard.press('Tab');
    expect((await focused(page)).id).toBe('f-file');
    expect((await focused(page)).outline).not.toBe('none');

    await page.getByLabel('File to import (.csv or .json)').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(csvOf(0, 40)) });
    expect(await submitPost(page, 'Import')).toBe(303);
    expect(new URL(page.url()).pathname).toMatch(/^\/users-import\/[0-9a-f-]{36}$/);
    await expect.poll(() => reportOf(page), { timeout: 20_000 }).toBe('40 user(s) created.');
    await ui.check('import-report');
    expect(await exists('up0@example.com')).toBe(true);
    expect(await exists('up39@example.com')).toBe(true);

    await page.getByRole('link', { name: 'Import more users' }).click();
    const json = JSON.stringify([{ username: 'js1', email: 'js1@example.com' }, { username: 'up0', email: 'other@example.com' }]);
    // The pasted-text format says CSV; a .json file is read as JSON whatever the select says.
    await page.getByLabel('File to import (.csv or .json)').setInputFiles({ name: 'people.json', mimeType: 'application/json', buffer: Buffer.from(json) });
    await page.getByLabel('Import the valid rows even if some are wrong').check();
    expect(await submitPost(page, 'Import')).toBe(303);
    await expect.poll(() => reportOf(page), { timeout: 20_000 }).toBe('1 user(s) created.');
    expect(await page.locator('tbody tr').first().innerText()).toMatch(/^2\s+username\s+username "up0" is already taken/);
    expect(await exists('js1@example.com')).toBe(true);
  }, 120_000);

  it('a file over the limit is refused with a clear message and nothing is imported; an empty form is refused too', async () => {
    await ui.signIn('owner');
    await page.goto(`${api.base}/users/import`);
    const big = csvOf(1000, 400);
    expect(big.length).toBeGreaterThan(LIMIT);
    await page.getByLabel('File to import (.csv or .json)').setInputFiles({ name: 'big.csv', mimeType: 'text/csv', buffer: Buffer.from(big) });
    expect(await submitPost(page, 'Import')).toBe(413);
    expect(await page.getByRole('alert').innerText()).toBe('The file is larger than the limit of 8 KB; nothing was imported. Split it into smaller files.');
    await expectAccessible(page, 'import too large');
    await ui.shot('import-too-large');
    expect(await exists('up1000@example.com')).toBe(false);
    expect(await submitPost(page, 'Import')).toBe(400);
    expect(await page.getByRole('alert').innerText()).toBe('Choose a file or paste the users to import.');
  }, 120_000);

  it('without JavaScript the job page offers Refresh (no meta refresh) and leads to the report; another session cannot see it', async () => {
    const { page: plain } = await ui.open({ javaScriptEnabled: false });
    await plain.goto(`${api.base}/`);
    await plain.getByLabel('Username or email').fill('owner');
    await plain.getByLabel('Password').fill('correct horse battery');
    await submitPost(plain, 'Sign in');
    await plain.goto(`${api.base}/users/import`);
    await plain.getByLabel('File to import (.csv or .json)').setInputFiles({ name: 'more.csv', mimeType: 'text/csv', buffer: Buffer.from(csvOf(2000, 150)) });
    expect(await submitPost(plain, 'Import')).toBe(303);
    const jobUrl = plain.url();
    expect(await plain.locator('meta[http-equiv]').count()).toBe(0);
    for (let i = 0; i < 40 && (await plain.getByRole('link', { name: 'Refresh' }).count()) > 0; i++) {
      await new Promise((r) => setTimeout(r, 250));
      await Promise.all([plain.waitForNavigation(), plain.getByRole('link', { name: 'Refresh' }).click()]);
    }
    expect(await reportOf(plain)).toBe('150 user(s) created.');
    expect(await exists('up2149@example.com')).toBe(true);

    await ui.signIn('owner'); // another session of the same owner
    expect((await page.goto(jobUrl))?.status()).toBe(404);
  }, 120_000);

  it('CSRF: an upload without the token, or with another session\'s, is refused and imports nothing', async () => {
    await ui.signIn('owner');
    await page.goto(`${api.base}/users/import`);
    const own = await csrfOf(page);
    const file = { name: 'x.csv', mimeType: 'text/csv', buffer: Buffer.from(csvOf(3000, 2)) };
    const post = (fields: Record<string, string>) => page.request.post(`${api.base}/users/import`, { multipart: { ...fields, file }, maxRedirects: 0 });
    expect((await post({})).status()).toBe(403);
    const other = await ui.open();
    await other.page.goto(`${api.base}/`);
    await other.page.getByLabel('Username or email').fill('owner');
    await other.page.getByLabel('Password').fill('correct horse battery');
    await submitPost(other.page, 'Sign in');
    await other.page.goto(`${api.base}/users/import`);
    expect((await post({ _csrf: await csrfOf(other.page) })).status()).toBe(403);
    expect(await exists('up3000@example.com')).toBe(false);
    // With its own token the same upload is accepted: the refusals were the CSRF check.
    const accepted = await post({ _csrf: own });
    expect(accepted.status()).toBe(303);
    expect(accepted.headers()['location']).toMatch(/^\/users-import\/[0-9a-f-]{36}$/);
    await expect.poll(() => exists('up3001@example.com'), { timeout: 20_000 }).toBe(true);
  }, 120_000);
});
