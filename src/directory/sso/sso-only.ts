import type { StoreReader } from '../../store/store.js';
import { SettingKey } from '../settings/setting-keys.js';

/** The answer to a password (or OIDC) sign-in while SAML is on: says where to go instead. */
export const SIGN_IN_WITH_SSO = 'password sign-in is turned off for this directory: sign in with single sign-on';

/**
 * Issue 14: once SAML is enabled, people's other sign-in sources (password on the pages and
 * `POST /api/v1/auth/login`, OIDC) are off. `pgdir owner-login` recovery and API tokens keep
 * working. Read per sign-in from the store, so every replica agrees at once.
 */
export async function passwordSignInDisabled(reader: StoreReader): Promise<boolean> {
  const saml = await reader.getSetting<{ enabled?: unknown }>(SettingKey.samlSso);
  return saml?.enabled === true;
}
