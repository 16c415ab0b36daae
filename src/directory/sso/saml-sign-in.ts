import { generateServiceProviderMetadata, type Profile } from '@node-saml/node-saml';
import { DirectoryError } from '../../domain/errors.js';
import type { User } from '../../domain/model.js';
import type { Store } from '../../store/store.js';
import { checkAssertion, checkResponse, reasonOf, SamlRefusal } from './saml-checks.js';
import { EMAIL_NAME_ID, samlClient, samlEndpoints, type SamlEndpoints } from './saml-client.js';
import { safeReturnTo } from './saml-return-to.js';
import { readSamlSettings, type EffectiveSaml } from './saml-settings.js';
import { auditRefusal, signInWithSso, type SsoSignInOptions } from './sso-sign-in.js';

/** A SAMLResponse larger than this is not a sign-in (a big IdP response is ~20 KB). */
export const MAX_SAML_RESPONSE_BYTES = 512 * 1024;

export type SamlStart = { readonly binding: 'redirect'; readonly url: string } | { readonly binding: 'post'; readonly url: string; readonly fields: Readonly<Record<string, string>> };

export type SamlResult =
  | { readonly ok: true; readonly user: User; readonly created: boolean; readonly returnTo: string }
  /** `not_registered`: the person is unknown and their domain not allowed (a page says so). */
  | { readonly ok: false; readonly outcome: 'not_registered' | 'refused' };

export interface SamlSignInDeps extends SsoSignInOptions {
  readonly store: Store;
  /** `sso.saml.metadata(_file)` of the YAML. */
  readonly pinnedMetadata?: string | undefined;
}

/**
 * SAML 2.0 Web Browser SSO with pgdir as the service provider (SAML Profiles §4.1): the login
 * redirect, pgdir's SP metadata, and the assertion consumer service. Settings are read per call
 * (every replica follows a change at once).
 */
export function createSamlSignIn(deps: SamlSignInDeps) {
  const { store } = deps;
  async function enabled(origin: string): Promise<{ saml: EffectiveSaml & { idp: NonNullable<EffectiveSaml['idp']> }; endpoints: SamlEndpoints }> {
    const saml = await readSamlSettings(store, deps.pinnedMetadata);
    if (!saml.settings.enabled || saml.idp === null) throw new DirectoryError('not_found', 'SAML single sign-on is not enabled');
    return { saml: { ...saml, idp: saml.idp }, endpoints: samlEndpoints(saml.settings, origin) };
  }

  return {
    /** pgdir's SP metadata (SAML Metadata §2.4.4), served also before SAML is enabled (for the IdP set-up). */
    async metadata(origin: string): Promise<string> {
      const { settings } = await readSamlSettings(store, deps.pinnedMetadata);
      const endpoints = samlEndpoints(settings, origin);
      return generateServiceProviderMetadata({ issuer: endpoints.entityId, callbackUrl: endpoints.acsUrl, identifierFormat: EMAIL_NAME_ID, wantAssertionsSigned: true });
    },

    /** An AuthnRequest (its ID remembered in the database) and where to send the browser. */
    async start(origin: string, returnTo: string): Promise<SamlStart> {
      const { saml, endpoints } = await enabled(origin);
      const client = samlClient(store, saml.settings, saml.idp, endpoints);
      const relayState = safeReturnTo(returnTo);
      if (saml.idp.ssoBinding === 'redirect') return { binding: 'redirect', url: await client.getAuthorizeUrlAsync(relayState, undefined, {}) };
      const fields = (await client.getAuthorizeMessageAsync(relayState, undefined, {})) as Record<string, string>;
      return { binding: 'post', url: saml.idp.ssoUrl, fields };
    },

    /** The ACS: every check, the replay memory, then provisioning (sso-sign-in.ts). Refusals are audited. */
    async consume(origin: string, form: { SAMLResponse?: string | undefined; RelayState?: string | undefined }, ip: string): Promise<SamlResult> {
      const { saml, endpoints } = await enabled(origin);
      let profile: Profile;
      let email: string | undefined;
      try {
        const encoded = form.SAMLResponse ?? '';
        if (encoded === '' || encoded.length > MAX_SAML_RESPONSE_BYTES) throw new SamlRefusal('malformed', 'missing or oversized SAMLResponse');
        checkResponse(Buffer.from(encoded, 'base64').toString('utf8'), { acsUrl: endpoints.acsUrl, idpEntityId: saml.idp.entityId });
        const client = samlClient(store, saml.settings, saml.idp, endpoints);
        const validated = await client.validatePostResponseAsync({ SAMLResponse: encoded });
        if (validated.profile === null) throw new SamlRefusal('malformed', 'no assertion');
        profile = validated.profile;
        email = typeof profile.nameID === 'string' ? profile.nameID : undefined;
        if (email === undefined) throw new SamlRefusal('malformed', 'no NameID');
        const facts = checkAssertion(profile.getAssertionXml?.() ?? '', { acsUrl: endpoints.acsUrl, idpEntityId: saml.idp.entityId, skewMs: saml.settings.clockSkewSeconds * 1000, nowMs: Date.now() });
        if (!(await store.sso.rememberAssertion(facts.id, facts.rememberUntil))) throw new SamlRefusal('replay', `assertion ${facts.id} was accepted before`);
        if (typeof profile.inResponseTo === 'string') await store.sso.removeRequest(profile.inResponseTo);
      } catch (error) {
        if (error instanceof DirectoryError && error.status >= 500) throw error;
        await auditRefusal(store, { source: 'saml', ip, ...(email === undefined ? {} : { email }) }, reasonOf(error), null);
        return { ok: false, outcome: 'refused' };
      }
      const result = await signInWithSso(store, { source: 'saml', email: email ?? '', displayName: displayNameOf(profile), groups: groupsOf(profile, saml.settings.groupAttribute), ip }, deps);
      if (!result.ok) return { ok: false, outcome: result.reason === 'not_registered' ? 'not_registered' : 'refused' };
      return { ok: true, user: result.user, created: result.created, returnTo: safeReturnTo(form.RelayState) };
    },
  };
}

export type SamlSignIn = ReturnType<typeof createSamlSignIn>;

const valuesOf = (value: unknown): string[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter((v): v is string => typeof v === 'string');

/** The group attribute (multi-valued); absent means "member of no IdP group". */
function groupsOf(profile: Profile, attribute: string): string[] {
  const attributes = (profile['attributes'] ?? {}) as Record<string, unknown>;
  return valuesOf(attributes[attribute]);
}

function displayNameOf(profile: Profile): string | undefined {
  const a = (profile['attributes'] ?? {}) as Record<string, unknown>;
  const first = (name: string) => valuesOf(a[name])[0];
  const given = first('givenName') ?? first('firstName');
  const sur = first('sn') ?? first('surname') ?? first('lastName');
  return first('displayName') ?? first('cn') ?? (given !== undefined || sur !== undefined ? `${given ?? ''} ${sur ?? ''}`.trim() : undefined);
}
