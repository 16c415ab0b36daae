import { describe, expect, it } from 'vitest';
import { DirectoryError } from '../../../src/domain/errors.js';
import { parseIdpMetadata } from '../../../src/directory/sso/saml-metadata.js';
import { normaliseDomain, parseAllowedDomains, isAllowedEmail } from '../../../src/directory/sso/allowed-domains.js';
import { safeReturnTo } from '../../../src/directory/sso/saml-return-to.js';
import { usernameBase } from '../../../src/directory/sso/sso-username.js';
import { idpMetadata } from '../../helpers/saml-responses.js';

// A real self-signed certificate (openssl req -x509 -newkey rsa:2048 -subj /CN=idp), base64 body.
const CERT = 'MIIC/TCCAeWgAwIBAgIUAIqx3JdAXTe5UPR33kpSzDf8D7cwDQYJKoZIhvcNAQELBQAwDjEMMAoGA1UEAwwDaWRwMB4XDTI2MTIwNzE4MzAwMloXDTI2MTIwOTE4MzAwMlowDjEMMAoGA1UEAwwDaWRwMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAycgCBkEw1ivqwglzddqbR1gVugWzBSisAO+PX6QKCoS36mtWk2eLngaHK9ewINteOy+iElHtjnbh6C+152Z7j7FIdxNV+3dlGUIOKB3h6B7Vtw86tggWeAgJJ72FDmcQ6HYyUc2cyhCVLrzdlM0TACiFcEfphaR2ie+J/ve0x6kPZdsA6zro6JoxKif2Eac6bsBoNjYfAFU8j1Titbjnw86jxrv5TfyLiusJ36OdihZNB3gfmZfc9rlM7Ne3Q8EswooxM60mWw25MVlIxhEU4m3afqcyj9XPnDSWFZ0ERgsdKVNVaj4M32LwEviLoyTtiH68WyR6x1K/w/TbiJypnQIDAQABo1MwUTAdBgNVHQ4EFgQUfHPPTlaVuRGajEQSZ2wlLrKOKswwHwYDVR0jBBgwFoAUfHPPTlaVuRGajEQSZ2wlLrKOKswwDwYDVR0TAQH/BAUwAwEB/zANBgkqhkiG9w0BAQsFAAOCAQEAKDtgpK1+ClqGU+0TOxwZCNGZ7XOefhFibGGlHnORgB+/JDggwxeWznrZWwR/IKanQrHSW51YV5mACRjcsCKUMWUMkiGRb3N19OknTfim4XWcZoXdWU+HnKqQ7iau3RDgbpsjPXUHZ7K/ezaicckTeUqGLpp7gFO+1o502S7qPw7l7iDgeIhLML/GyslVPpUAhZaYaJGRQNGigb6jISWB/6e6FnYo2gXZ95hVWZ07y2EHD5ANR2bqnNUvjZSdeG7UYPwd5vEKSll34VwF1zLNavhx9Z5XqNzhM6n7XLMTHSzRMneNxXPbptg7pFpYq01F/yJ6GgvfwJe13tcghCli4g==';

function refusal(xml: unknown): DirectoryError {
  try {
    parseIdpMetadata(xml);
  } catch (error) {
    expect(error).toBeInstanceOf(DirectoryError);
    expect(error).toMatchObject({ status: 400, field: 'metadataXml' });
    return error as DirectoryError;
  }
  throw new Error('accepted');
}

describe('IdP metadata', () => {
  it('extracts the entity ID, the SSO service (Redirect preferred) and every signing certificate', () => {
    const xml = idpMetadata('https://idp.example/meta', 'https://idp.example/sso', [CERT, CERT]).replace('</md:IDPSSODescriptor>', '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example/post"/></md:IDPSSODescriptor>');
    const md = parseIdpMetadata(xml);
    expect(md).toMatchObject({ entityId: 'https://idp.example/meta', ssoUrl: 'https://idp.example/sso', ssoBinding: 'redirect' });
    expect(md.certificates).toHaveLength(1); // the same certificate twice is one
    expect(md.certificates[0]).toMatchObject({ subject: 'CN=idp', notAfter: '2026-12-09T18:30:02.000Z' });
    expect(parseIdpMetadata(idpMetadata('e', 'https://idp.example/p', [CERT], 'HTTP-POST'))).toMatchObject({ ssoBinding: 'post' });
  });
  it('reads the IdP out of an EntitiesDescriptor aggregate', () => {
    const inner = idpMetadata('https://idp.example/meta', 'https://idp.example/sso', [CERT]).replace('<?xml version="1.0"?>', '');
    expect(parseIdpMetadata(`<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">${inner}</md:EntitiesDescriptor>`).entityId).toBe('https://idp.example/meta');
  });
  it('says what is missing and where', () => {
    expect(refusal('').message).toMatch(/paste the identity provider metadata XML/);
    expect(refusal(42).message).toMatch(/paste/);
    expect(refusal('<md:EntityDescriptor').message).toMatch(/not well-formed XML/);
    expect(refusal('<html><body>login</body></html>').message).toMatch(/no md:EntityDescriptor .* root element is <html>/);
    expect(refusal('<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="sp"><md:SPSSODescriptor/></md:EntityDescriptor>').message).toMatch(/no md:IDPSSODescriptor/);
    expect(refusal(idpMetadata('', 'https://idp.example/sso', [CERT])).message).toMatch(/no entityID/);
    expect(refusal(idpMetadata('e', 'https://idp.example/sso', [CERT], 'HTTP-Artifact')).message).toMatch(/no md:SingleSignOnService with Binding HTTP-Redirect or HTTP-POST/);
    expect(refusal(idpMetadata('e', 'not a url', [CERT])).message).toMatch(/is not an absolute URL/);
    expect(refusal(idpMetadata('e', 'https://idp.example/sso', [])).message).toMatch(/no signing certificate/);
    expect(refusal(idpMetadata('e', 'https://idp.example/sso', ['bm90IGEgY2VydA=='])).message).toMatch(/KeyDescriptor #1 .* not a valid X.509/);
    expect(refusal(`<!DOCTYPE x [<!ENTITY a SYSTEM "file:///etc/passwd">]>${idpMetadata('e', 'https://i/s', [CERT]).replace('<?xml version="1.0"?>', '')}`).message).toMatch(/DOCTYPE/);
  });
});

describe('allowed domains, usernames, returnTo', () => {
  it('normalises domains: case, leading @, trailing dot, IDN to A-labels; refuses non-domains', () => {
    expect(parseAllowedDomains(['Example.COM', '@example.com', 'bücher.example.', 'xn--bcher-kva.example'])).toEqual(['example.com', 'xn--bcher-kva.example']);
    for (const bad of ['', 'localhost', 'a b.com', 'user@example.com', 'http://example.com', '-x.com', 7]) expect(() => normaliseDomain(bad)).toThrow(DirectoryError);
    expect(() => parseAllowedDomains('example.com')).toThrow(/list of domain names/);
    expect(() => parseAllowedDomains(['ok.com', 'bad domain'])).toThrow(/allowedDomains.1: "bad domain" is not a domain name/);
    expect(isAllowedEmail('x@BÜCHER.example', ['xn--bcher-kva.example'])).toBe(true);
    expect(isAllowedEmail('x@sub.example.com', ['example.com'])).toBe(false);
  });
  it('derives valid usernames from local parts', () => {
    expect(usernameBase('Jo.Smith@x.com')).toBe('jo.smith');
    expect(usernameBase('josé+tag@x.com')).toBe('jose-tag');
    expect(usernameBase('my.app@x.com')).toBe('my-app');
    expect(usernameBase('uid-7@x.com')).toBe('u-7');
    expect(usernameBase('admin@x.com')).toBe('admin-user');
    expect(usernameBase('___@x.com')).toBe('user');
  });
  it('keeps returnTo on this server', () => {
    expect(safeReturnTo('/profile?tab=2')).toBe('/profile?tab=2');
    for (const bad of ['//evil.example', '/\\evil.example', 'https://evil.example/', 'profile', '/x\ny', undefined]) expect(safeReturnTo(bad)).toBe('/');
  });
});
