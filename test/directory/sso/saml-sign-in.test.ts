import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../../src/domain/actor.js';
import { createSamlSignIn, type SamlSignIn } from '../../../src/directory/sso/saml-sign-in.js';
import { writeSamlSettings } from '../../../src/directory/sso/saml-settings.js';
import { writeRegistrationSettings } from '../../../src/directory/sso/registration-settings.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { createTempDir, storeModes, type StoreFixture } from '../../helpers/databases.js';
import { assertionXml, encode, idpMetadata, makeKey, newId, requestIdOf, responseXml, signXml, type AssertionSpec, type TestKey } from '../../helpers/saml-responses.js';

const CLI = systemActor('cli');
const ORIGIN = 'https://pgdir.test';
const ACS = `${ORIGIN}/omniauth/saml/callback`;
const IDP = 'https://idp.test/metadata';

describe.each(storeModes)('SAML assertion consumer on $mode', ({ create, mode }) => {
  let fixture: StoreFixture;
  let store: Store;
  let saml: SamlSignIn;
  let dir: { path: string; remove(): Promise<void> };
  let idpKey: TestKey;
  let otherKey: TestKey;

  beforeAll(async () => {
    dir = await createTempDir('pgdir-saml-');
    [idpKey, otherKey] = await Promise.all([makeKey(dir.path, 'idp'), makeKey(dir.path, 'attacker')]);
    fixture = await create();
    store = await openStore(fixture.options);
    await writeSamlSettings(store, { enabled: true, metadataXml: idpMetadata(IDP, 'https://idp.test/sso', [idpKey.certBase64]) }, undefined, CLI);
    await writeRegistrationSettings(store, { allowedDomains: ['corp.example'] }, CLI);
    saml = createSamlSignIn({ store });
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await fixture?.cleanup();
    await dir?.remove();
  });

  /** A fresh AuthnRequest of pgdir's and the assertion answering it. */
  async function request(): Promise<string> {
    const start = await saml.start(ORIGIN, '/after');
    if (start.binding !== 'redirect') throw new Error('expected the redirect binding');
    return requestIdOf(start.url);
  }
  const spec = (inResponseTo: string | undefined, over: Partial<AssertionSpec> = {}): AssertionSpec => ({
    issuer: IDP, nameId: 'pat@corp.example', audience: 'pgdir', recipient: ACS, inResponseTo, signed: true, attributes: { group: ['eng', 'ops'] }, ...over,
  });
  async function signedResponse(over: Partial<AssertionSpec> = {}, response: { destination?: string; key?: TestKey; irt?: boolean } = {}): Promise<string> {
    const irt = over.inResponseTo ?? (response.irt === false ? undefined : await request());
    const assertion = await signXml(dir.path, assertionXml(spec(irt, over)), response.key ?? idpKey, 'Assertion');
    return encode(responseXml({ issuer: IDP, destination: response.destination ?? ACS, inResponseTo: irt, assertions: [assertion] }));
  }
  async function refusedWith(reason: string, SAMLResponse: string): Promise<void> {
    const users = (await store.listUsers()).total;
    const result = await saml.consume(ORIGIN, { SAMLResponse, RelayState: '/after' }, '192.0.2.7');
    expect(result).toEqual({ ok: false, outcome: 'refused' });
    expect((await store.listUsers()).total).toBe(users);
    const [audit] = await store.listAudit({ limit: 1 });
    expect(audit).toMatchObject({ action: 'http.login', result: 'denied', ip: '192.0.2.7', details: { source: 'saml', reason } });
  }

  it('accepts a signed assertion answering its request: self-registers, groups, returnTo from RelayState', async () => {
    const result = await saml.consume(ORIGIN, { SAMLResponse: await signedResponse(), RelayState: '/after' }, '192.0.2.7');
    expect(result).toMatchObject({ ok: true, created: true, returnTo: '/after', user: { email: 'pat@corp.example', username: 'pat', source: 'self-registered' } });
    const groups = (await store.listGroups()).filter((g) => g.source === 'saml').map((g) => g.name).sort();
    expect(groups).toEqual(['eng', 'ops']);
  });

  it('accepts a signed response around an unsigned assertion', async () => {
    const irt = await request();
    const xml = responseXml({ issuer: IDP, destination: ACS, inResponseTo: irt, signed: true, assertions: [assertionXml(spec(irt, { signed: false }))] });
    const result = await saml.consume(ORIGIN, { SAMLResponse: encode(await signXml(dir.path, xml, idpKey, 'Response')), RelayState: '//evil.example/x' }, '::1');
    expect(result).toMatchObject({ ok: true, created: false, returnTo: '/' });
  });

  it('refuses an unsigned response and assertion', async () => {
    const irt = await request();
    await refusedWith('signature', encode(responseXml({ issuer: IDP, destination: ACS, inResponseTo: irt, assertions: [assertionXml(spec(irt, { signed: false }))] })));
  });
  it('refuses a signature by a key the metadata does not list', async () => refusedWith('signature', await signedResponse({}, { key: otherKey })));
  it('refuses SHA-1 signatures', async () => refusedWith('weak_algorithm', await signedResponse({ sha1: true })));
  it('refuses another audience', async () => refusedWith('audience', await signedResponse({ audience: 'someone-else' })));
  it('refuses another Recipient', async () => refusedWith('recipient', await signedResponse({ recipient: 'https://other.test/acs' })));
  it('refuses another Destination', async () => refusedWith('destination', await signedResponse({}, { destination: 'https://other.test/acs' })));
  it('refuses another issuer', async () => refusedWith('issuer', await signedResponse({ issuer: 'https://evil.test/idp' })));
  it('refuses an expired assertion and one not yet valid, beyond the 60 s skew', async () => {
    await refusedWith('time', await signedResponse({ notOnOrAfter: new Date(Date.now() - 61_000), notBefore: new Date(Date.now() - 300_000) }));
    await refusedWith('time', await signedResponse({ notBefore: new Date(Date.now() + 120_000) }));
  });
  it('accepts an assertion just expired within the skew', async () => {
    const result = await saml.consume(ORIGIN, { SAMLResponse: await signedResponse({ notOnOrAfter: new Date(Date.now() - 20_000), notBefore: new Date(Date.now() - 300_000) }) }, '::1');
    expect(result.ok).toBe(true);
  });
  it('refuses an InResponseTo pgdir never issued, and IdP-initiated responses by default', async () => {
    const forged = newId();
    await refusedWith('in_response_to', await signedResponse({ inResponseTo: forged }));
    await refusedWith('in_response_to', await signedResponse({}, { irt: false }));
  });
  it('refuses a response to a request already answered', async () => {
    const irt = await request();
    expect((await saml.consume(ORIGIN, { SAMLResponse: await signedResponse({ inResponseTo: irt }) }, '::1')).ok).toBe(true);
    await refusedWith('in_response_to', await signedResponse({ inResponseTo: irt }));
  });
  it('refuses a replayed assertion (IdP-initiated allowed), remembered in the database', async () => {
    await writeSamlSettings(store, { allowIdpInitiated: true }, undefined, CLI);
    try {
      const response = await signedResponse({}, { irt: false });
      expect((await saml.consume(ORIGIN, { SAMLResponse: response }, '::1')).ok).toBe(true);
      await refusedWith('replay', response);
      if (mode === 'postgres') {
        const replica = await openStore(fixture.options); // a second replica on the same database
        try {
          const other = createSamlSignIn({ store: replica });
          expect(await other.consume(ORIGIN, { SAMLResponse: response }, '::1')).toEqual({ ok: false, outcome: 'refused' });
          expect((await replica.listAudit({ limit: 1 }))[0]?.details).toMatchObject({ reason: 'replay' });
        } finally {
          await replica.close();
        }
      }
    } finally {
      await writeSamlSettings(store, { allowIdpInitiated: false }, undefined, CLI);
    }
  });
  it('refuses signature wrapping: a second assertion, a signed assertion moved into Extensions, a changed NameID', async () => {
    const irt = await request();
    const good = await signXml(dir.path, assertionXml(spec(irt, { nameId: 'pat@corp.example' })), idpKey, 'Assertion');
    const evil = assertionXml(spec(irt, { nameId: 'boss@corp.example', signed: false }));
    await refusedWith('signature', encode(responseXml({ issuer: IDP, destination: ACS, inResponseTo: irt, assertions: [good, evil] })));
    const irt2 = await request();
    const good2 = await signXml(dir.path, assertionXml(spec(irt2)), idpKey, 'Assertion');
    await refusedWith('signature', encode(responseXml({ issuer: IDP, destination: ACS, inResponseTo: irt2, extensions: good2, assertions: [assertionXml(spec(irt2, { nameId: 'boss@corp.example', signed: false }))] })));
    const irt3 = await request();
    const good3 = await signXml(dir.path, assertionXml(spec(irt3)), idpKey, 'Assertion');
    await refusedWith('signature', encode(responseXml({ issuer: IDP, destination: ACS, inResponseTo: irt3, assertions: [good3.replace('pat@corp.example', 'boss@corp.example')] })));
    expect(await store.findUserByEmail('boss@corp.example')).toBeUndefined();
  });
  it('refuses garbage without crashing', async () => {
    await refusedWith('malformed', encode('<not-saml/>'));
    await refusedWith('malformed', 'bm90IHhtbA==');
    await refusedWith('malformed', encode('<!DOCTYPE x [<!ENTITY a "b">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>'));
    await refusedWith('malformed', '');
  });
  it('answers not_registered for an unknown email outside the allowed domains', async () => {
    const result = await saml.consume(ORIGIN, { SAMLResponse: await signedResponse({ nameId: 'guest@elsewhere.example' }) }, '::1');
    expect(result).toEqual({ ok: false, outcome: 'not_registered' });
    expect(await store.findUserByEmail('guest@elsewhere.example')).toBeUndefined();
  });
});
