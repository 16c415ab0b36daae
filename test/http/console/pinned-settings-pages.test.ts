import type { Page } from 'playwright-core';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createTempDir, storeModes } from '../../helpers/databases.js';
import { idpMetadata, makeKey } from '../../helpers/saml-responses.js';
import { PASSWORD, startApi, type Api } from '../http-fixture.js';
import { csrfOf, postForm, signIn, submit, useConsoleBrowser } from './console-fixture.js';

/**
 * Settings the YAML pins (src/directory/settings/pinned-settings.ts) in Chromium: the console
 * shows each read-only with the reason (the configuration file), offers no control to change it,
 * and a forged POST that tries anyway is refused with 409 and changes nothing. The fields that are
 * not pinned keep working through the same forms.
 */
const pglite = storeModes.find((m) => m.mode === 'pglite')!;
const IDP = 'https://idp.example.test/pinned';
const OTHER_IDP = 'https://evil.example.test/saml';
const SSO_URL = 'https://idp.example.test/sso';
const PINNED_ALLOWLIST = '10.9.0.0/16';

describe('settings pinned by the configuration file, in Chromium (PGlite)', () => {
  let keyDir: { path: string; remove(): Promise<void> } | undefined;
  let certBase64 = '';
  const ui = useConsoleBrowser({
    mode: pglite,
    prefix: 'pinned-',
    start: async (mode) => {
      keyDir = await createTempDir();
      certBase64 = (await makeKey(keyDir.path, 'idp-pinned')).certBase64;
      return startApi(mode, {
        pinned: { directoryServer: { allowlist: PINNED_ALLOWLIST }, userDirectory: { lockProfiles: true }, adminSecret: true, samlMetadata: idpMetadata(IDP, SSO_URL, [certBase64]) },
      });
    },
  });
  afterAll(async () => {
    await keyDir?.remove();
  });
  let api: Api;
  let page: Page;
  beforeEach(() => {
    ({ api, page } = ui);
  });
  const directoryServer = async () => (await api.call('GET', '/api/v1/settings/directory-server', { token: api.ownerToken })).body;

  it('directory server: the pinned allowlist and admin secret are read-only with the reason; forged posts get 409; the rest still saves', async () => {
    expect(await signIn(page, api.base, 'owner', PASSWORD)).toBe(303);
    await page.goto(`${api.base}/settings/directory-server`);
    const allowlist = page.getByLabel('Allowed client addresses');
    expect(await allowlist.isDisabled()).toBe(true);
    expect(await allowlist.inputValue()).toBe(PINNED_ALLOWLIST);
    const text = await page.locator('main').innerText();
    expect(text).toContain('Set in the configuration file, so not changeable here: allowlist.');
    expect(text).toContain('The admin secret is set in the configuration file and cannot be changed here.');
    expect(await page.getByRole('button', { name: 'Make a new admin secret' }).count()).toBe(0);
    await ui.check('settings-directory-server');

    const _csrf = await csrfOf(page);
    const forged = await postForm(page, `${api.base}/settings/directory-server`, { _csrf, enabledShown: '1', enabled: '1', allowlist: '0.0.0.0/0' });
    expect(forged.status).toBe(409);
    expect(forged.text).toContain('configuration file');
    expect((await postForm(page, `${api.base}/settings/directory-server/secret`, { _csrf })).status).toBe(409);
    expect(await directoryServer()).toMatchObject({ enabled: true, allowlist: PINNED_ALLOWLIST });

    // The field that is not pinned saves through the real form (which sends no pinned field).
    await page.getByLabel(/The LDAP server answers/).uncheck();
    expect(await submit(page, 'Save')).toBe(200);
    expect(await page.getByRole('status').innerText()).toBe('Saved.');
    expect(await directoryServer()).toMatchObject({ enabled: false, allowlist: PINNED_ALLOWLIST });
  }, 120_000);

  it('single sign-on: the pinned SAML metadata is shown, not editable; a forged post of other metadata gets 409', async () => {
    expect(await signIn(page, api.base, 'owner', PASSWORD)).toBe(303);
    await page.goto(`${api.base}/settings/sso`);
    expect(await page.locator('main').innerText()).toContain('The metadata is set in the configuration file (sso.saml.metadata_file) and cannot be changed here.');
    expect(await page.getByLabel('Identity provider metadata XML').count()).toBe(0);
    expect(await page.locator('#f-metadataFile').count()).toBe(0);
    expect(await page.locator('#h-saml ~ dl.facts').first().innerText()).toContain(IDP);
    await ui.check('sso');

    const _csrf = await csrfOf(page);
    const forged = await postForm(page, `${api.base}/settings/sso/saml`, { _csrf, metadataXml: idpMetadata(OTHER_IDP, SSO_URL, [certBase64]), clockSkewSeconds: '60', groupAttribute: 'group', audience: 'pgdir' });
    expect(forged.status).toBe(409);
    expect(forged.text).toContain('configuration file');
    const saml = (await api.call('GET', '/api/v1/settings/sso/saml', { token: api.ownerToken })).body;
    expect(saml.idp.entityId).toBe(IDP);

    // What is not pinned still saves through the form.
    await page.getByLabel(/Group attribute/).fill('memberOf');
    expect(await submit(page, 'Save SAML')).toBe(200);
    expect((await api.call('GET', '/api/v1/settings/sso/saml', { token: api.ownerToken })).body).toMatchObject({ groupAttribute: 'memberOf', idp: { entityId: IDP } });
  }, 120_000);

  it('users: the pinned profile lock is shown as a value with the reason; a post without it leaves it on', async () => {
    expect(await signIn(page, api.base, 'owner', PASSWORD)).toBe(303);
    await page.goto(`${api.base}/settings/users`);
    expect(await page.locator('main').innerText()).toMatch(/Lock profiles: people cannot change their own name or email: Yes \(set in the configuration file\)/);
    expect(await page.getByLabel(/Lock profiles/).count()).toBe(0);
    await ui.check('settings-users');
    // An unchecked box sends nothing, so "turn it off" looks like this post: the pinned value stays.
    expect((await postForm(page, `${api.base}/settings/users`, { _csrf: await csrfOf(page) })).status).toBe(303);
    const users = (await api.call('GET', '/api/v1/settings/user-directory', { token: api.ownerToken })).body;
    expect(users).toMatchObject({ lockProfiles: true });
  }, 120_000);
});
