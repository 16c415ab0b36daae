import { createHash } from 'node:crypto';
import * as client from 'openid-client';
import type { ActiveOidc } from '../../directory/sso/oidc-settings.js';

/**
 * pgdir as an OpenID Connect client (issue 14) with openid-client 6: discovery, the authorization
 * code flow with PKCE (RFC 7636, S256), `state` (RFC 6749 §10.12) and `nonce` (OpenID Connect
 * Core §3.1.2.1), ID token validation by the library (signature, issuer, audience, expiry, nonce).
 */

/** What one sign-in remembers between the redirect to the provider and the callback (the browser's cookie). */
export interface LoginState {
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
  readonly returnTo: string;
  /** Exactly the redirect_uri sent, for the token request (RFC 6749 §4.1.3). */
  readonly redirectUri: string;
}

/** A failed callback; `reason` goes to the audit log, never to the browser. */
export class OidcFailure extends Error {
  constructor(readonly reason: string, cause?: unknown) {
    super(reason, cause === undefined ? undefined : { cause });
  }
}

const DISCOVERY_TTL_MS = 3_600_000;
const configurations = new Map<string, { readonly at: number; readonly config: Promise<client.Configuration> }>();

/** The provider's metadata, discovered once an hour per issuer and client (a failure is not kept). */
function configurationOf(active: ActiveOidc): Promise<client.Configuration> {
  const key = createHash('sha256').update(`${active.issuer}\n${active.clientId}\n${active.clientSecret}`).digest('hex');
  const cached = configurations.get(key);
  if (cached !== undefined && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.config;
  const issuer = new URL(active.issuer);
  // Plain http only for a provider on this machine (oidc-input.ts refuses other http issuers).
  const options = issuer.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : undefined;
  const config = client.discovery(issuer, active.clientId, active.clientSecret, client.ClientSecretPost(active.clientSecret), options);
  configurations.set(key, { at: Date.now(), config });
  config.catch(() => configurations.delete(key));
  return config;
}

/** The provider's authorization URL for a new sign-in, and what the callback must find again. */
export async function startLogin(active: ActiveOidc, redirectUri: string, returnTo: string): Promise<{ url: URL; login: LoginState }> {
  let config: client.Configuration;
  try {
    config = await configurationOf(active);
  } catch (error) {
    throw new OidcFailure('discovery_failed', error);
  }
  const login: LoginState = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier(), returnTo, redirectUri };
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: active.scopes,
    response_type: 'code',
    state: login.state,
    nonce: login.nonce,
    code_challenge: await client.calculatePKCECodeChallenge(login.verifier),
    code_challenge_method: 'S256',
  });
  return { url, login };
}

function reasonOf(error: unknown): string {
  if (error instanceof client.AuthorizationResponseError) return `provider_error:${error.error}`.slice(0, 100);
  // openid-client wraps oauth4webapi's error, whose message names the failed check.
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
  const message = `${error instanceof Error ? error.message : ''} ${cause}`;
  if (message.includes('"state"')) return 'state_mismatch';
  if (message.includes('"nonce"')) return 'nonce_mismatch';
  if (message.includes('code_verifier') || message.includes('PKCE')) return 'pkce_failed';
  return 'token_rejected';
}

/**
 * Completes the callback: checks state, trades the code (with the PKCE verifier), validates the ID
 * token and its nonce, and adds the userinfo claims when the ID token lacks the email or groups.
 * ID token claims win over userinfo. Throws OidcFailure with the reason.
 */
export async function finishLogin(active: ActiveOidc, login: LoginState, search: string): Promise<Record<string, unknown>> {
  const config = await configurationOf(active).catch((error: unknown) => {
    throw new OidcFailure('discovery_failed', error);
  });
  const currentUrl = new URL(login.redirectUri);
  currentUrl.search = search;
  let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
  try {
    tokens = await client.authorizationCodeGrant(config, currentUrl, { pkceCodeVerifier: login.verifier, expectedState: login.state, expectedNonce: login.nonce, idTokenExpected: true });
  } catch (error) {
    throw new OidcFailure(reasonOf(error), error);
  }
  const claims: Record<string, unknown> = { ...(tokens.claims() ?? {}) };
  if ((claims['email'] === undefined || claims[active.groupsClaim] === undefined) && config.serverMetadata().userinfo_endpoint !== undefined) {
    try {
      const info = await client.fetchUserInfo(config, tokens.access_token, String(claims['sub']));
      return { ...info, ...claims };
    } catch (error) {
      throw new OidcFailure('userinfo_failed', error);
    }
  }
  return claims;
}
