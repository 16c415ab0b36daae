import { z } from 'zod';
import { MAX_METADATA_BYTES } from '../../directory/sso/saml-metadata.js';
import { samlEndpoints } from '../../directory/sso/saml-client.js';
import type { EffectiveSaml } from '../../directory/sso/saml-settings.js';
import type { ApiContext } from '../api-context.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { requestOrigin } from './saml-origin.js';

const samlView = z.object({
  enabled: z.boolean(),
  audience: z.string().describe("pgdir's SP entity ID, the audience assertions must name"),
  groupAttribute: z.string(),
  clockSkewSeconds: z.int(),
  allowIdpInitiated: z.boolean(),
  baseUrl: z.string().nullable(),
  metadataPinned: z.boolean().describe('the metadata is set in the configuration file (sso.saml.metadata_file)'),
  idp: z
    .object({
      entityId: z.string(),
      ssoUrl: z.string(),
      ssoBinding: z.enum(['redirect', 'post']),
      certificates: z.array(z.object({ subject: z.string(), notAfter: z.string(), fingerprint256: z.string() })),
    })
    .nullable()
    .describe('what pgdir understood of the identity provider metadata'),
  serviceProvider: z.object({ entityId: z.string(), acsUrl: z.string(), metadataUrl: z.string(), loginUrl: z.string() }).describe('what to enter at the identity provider'),
});

const samlBody = z
  .strictObject({
    enabled: z.boolean().optional(),
    metadataXml: z.string().max(MAX_METADATA_BYTES).nullable().optional().describe('the Identity Provider Metadata XML, pasted'),
    audience: z.string().max(1000).optional(),
    groupAttribute: z.string().max(200).optional(),
    clockSkewSeconds: z.int().min(0).max(600).optional(),
    allowIdpInitiated: z.boolean().optional(),
    baseUrl: z.string().max(500).nullable().optional().describe("pgdir's public address, e.g. https://pgdir.example.com"),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), 'give at least one field');

const view = (saml: EffectiveSaml, origin: string): z.infer<typeof samlView> => {
  const { metadataXml: _xml, ...settings } = saml.settings;
  return {
    ...settings,
    metadataPinned: saml.metadataPinned,
    idp: saml.idp === null ? null : { entityId: saml.idp.entityId, ssoUrl: saml.idp.ssoUrl, ssoBinding: saml.idp.ssoBinding, certificates: saml.idp.certificates.map(({ pem: _pem, ...c }) => c) },
    serviceProvider: samlEndpoints(saml.settings, origin),
  };
};

/** `GET/PUT /api/v1/settings/sso/saml` (issue 14; admins, owners and organisation admins: sso.read/sso.write, checked by api.settingsFor). */
export function samlSettingsRoutes(api: ApiContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/api/v1/settings/sso/saml',
      summary: 'SAML single sign-on: the settings, what was understood of the IdP metadata, and the addresses to give the IdP',
      tag: 'settings',
      auth: 'user',
      response: samlView,
      handle: async ({ req, caller }) => ({ body: view(await api.settingsFor(caller.actor).saml(), requestOrigin(req)) }),
    }),
    defineRoute({
      method: 'PUT',
      path: '/api/v1/settings/sso/saml',
      summary: 'Change SAML single sign-on (metadata refused with a 400 saying what is missing where); enabling it turns password sign-in off',
      tag: 'settings',
      auth: 'user',
      body: samlBody,
      response: samlView,
      errors: { 409: 'the metadata is set in the configuration file' },
      handle: async ({ req, body, caller }) => ({ body: view(await api.settingsFor(caller.actor).setSaml(body), requestOrigin(req)) }),
    }),
  ];
}
