import { SAML, ValidateInResponseTo, type CacheProvider } from '@node-saml/node-saml';
import type { Store } from '../../store/store.js';
import type { IdpMetadata } from './saml-metadata.js';
import type { SamlSettings } from './saml-settings.js';

export const EMAIL_NAME_ID = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
/** How long an AuthnRequest may take to come back: a person typing a password and a code. */
export const REQUEST_TTL_MS = 15 * 60_000;

/** pgdir's own SAML addresses for one base URL (what admins enter at the IdP; docs/sso.md). */
export interface SamlEndpoints {
  readonly entityId: string;
  readonly acsUrl: string;
  readonly metadataUrl: string;
  readonly loginUrl: string;
}

/** `baseUrl` setting when set, else the origin the browser used. */
export function samlEndpoints(settings: SamlSettings, requestOrigin: string): SamlEndpoints {
  const base = (settings.baseUrl ?? requestOrigin).replace(/\/+$/, '');
  return { entityId: settings.audience, acsUrl: `${base}/omniauth/saml/callback`, metadataUrl: `${base}/saml/metadata`, loginUrl: `${base}/saml/login` };
}

/**
 * node-saml's request-ID memory kept in the database (store/sso-store.ts), so that the replica
 * receiving the response knows the request another replica sent. The value node-saml keeps is
 * the issue instant; the database's created_at stands in for it.
 */
export function databaseRequestCache(store: Store): CacheProvider {
  return {
    saveAsync: async (key, value) => ({ value, createdAt: (await store.sso.saveRequest(key, new Date(Date.now() + REQUEST_TTL_MS))).getTime() }),
    getAsync: async (key) => (await store.sso.findRequest(key))?.toISOString() ?? null,
    removeAsync: async (key) => (key !== null && (await store.sso.removeRequest(key)) ? key : null),
  };
}

/**
 * One node-saml SP for the current settings (cheap to build; settings are read per request so every
 * replica follows a change at once). Either a signed response or a signed assertion is required
 * (both `want…Signed` false means "at least one", node-saml's validatePostResponseAsync); pgdir
 * adds the checks node-saml leaves out in saml-checks.ts.
 */
export function samlClient(store: Store, settings: SamlSettings, idp: IdpMetadata, endpoints: SamlEndpoints): SAML {
  return new SAML({
    entryPoint: idp.ssoUrl,
    issuer: endpoints.entityId,
    audience: settings.audience,
    callbackUrl: endpoints.acsUrl,
    idpCert: idp.certificates.map((c) => c.pem),
    idpIssuer: idp.entityId,
    identifierFormat: EMAIL_NAME_ID,
    wantAssertionsSigned: false,
    wantAuthnResponseSigned: false,
    acceptedClockSkewMs: settings.clockSkewSeconds * 1000,
    validateInResponseTo: settings.allowIdpInitiated ? ValidateInResponseTo.ifPresent : ValidateInResponseTo.always,
    requestIdExpirationPeriodMs: REQUEST_TTL_MS,
    cacheProvider: databaseRequestCache(store),
    disableRequestedAuthnContext: true,
    signatureAlgorithm: 'sha256',
  });
}
