import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inflateRawSync } from 'node:zlib';

/**
 * SAML responses made and signed outside pgdir, by xmlsec1 (an independent XML-DSig
 * implementation), for the negative cases of issue 14 that a real IdP will not produce.
 */
const run = promisify(execFile);
const NS = 'xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"';

export interface TestKey {
  readonly keyFile: string;
  readonly certFile: string;
  /** The certificate's base64 body (for metadata). */
  readonly certBase64: string;
}

export async function makeKey(dir: string, name: string): Promise<TestKey> {
  const keyFile = join(dir, `${name}.key`);
  const certFile = join(dir, `${name}.crt`);
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-sha256', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', keyFile, '-out', certFile]);
  const pem = await readFile(certFile, 'utf8');
  return { keyFile, certFile, certBase64: pem.replace(/-----[^-]+-----|\s/g, '') };
}

export function idpMetadata(entityId: string, ssoUrl: string, certs: readonly string[], binding = 'HTTP-Redirect'): string {
  const keys = certs.map((c) => `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${c}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`).join('');
  return `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${entityId}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${keys}
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:${binding}" Location="${ssoUrl}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;
}

export const signatureTemplate = (id: string, sha1 = false): string => `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="${sha1 ? 'http://www.w3.org/2000/09/xmldsig#rsa-sha1' : 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256'}"/><ds:Reference URI="#${id}"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="${sha1 ? 'http://www.w3.org/2000/09/xmldsig#sha1' : 'http://www.w3.org/2001/04/xmlenc#sha256'}"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data/></ds:KeyInfo></ds:Signature>`;

export interface AssertionSpec {
  readonly id?: string;
  readonly issuer: string;
  readonly nameId: string;
  readonly audience: string;
  readonly recipient: string;
  readonly inResponseTo?: string | undefined;
  readonly notBefore?: Date;
  readonly notOnOrAfter?: Date;
  readonly attributes?: Readonly<Record<string, readonly string[]>>;
  /** Put a signature template in (to be signed by xmlsec1). */
  readonly signed?: boolean;
  readonly sha1?: boolean;
}

export const newId = (): string => `_${randomBytes(16).toString('hex')}`;
const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function assertionXml(spec: AssertionSpec): string {
  const id = spec.id ?? newId();
  const now = new Date();
  const notBefore = spec.notBefore ?? new Date(now.getTime() - 30_000);
  const notOnOrAfter = spec.notOnOrAfter ?? new Date(now.getTime() + 300_000);
  const irt = spec.inResponseTo === undefined ? '' : ` InResponseTo="${spec.inResponseTo}"`;
  const attrs = Object.entries(spec.attributes ?? {})
    .map(([name, values]) => `<saml:Attribute Name="${name}">${values.map((v) => `<saml:AttributeValue>${v}</saml:AttributeValue>`).join('')}</saml:Attribute>`)
    .join('');
  return `<saml:Assertion ${NS} ID="${id}" Version="2.0" IssueInstant="${iso(now)}"><saml:Issuer>${spec.issuer}</saml:Issuer>${spec.signed === true ? signatureTemplate(id, spec.sha1) : ''}<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${spec.nameId}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${iso(notOnOrAfter)}" Recipient="${spec.recipient}"${irt}/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="${iso(notBefore)}" NotOnOrAfter="${iso(notOnOrAfter)}"><saml:AudienceRestriction><saml:Audience>${spec.audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="${iso(now)}" SessionIndex="${newId()}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>${attrs === '' ? '' : `<saml:AttributeStatement>${attrs}</saml:AttributeStatement>`}</saml:Assertion>`;
}

export interface ResponseSpec {
  readonly id?: string;
  readonly issuer: string;
  readonly destination?: string | undefined;
  readonly inResponseTo?: string | undefined;
  /** Assertion XML (signed or not), placed in order. */
  readonly assertions: readonly string[];
  readonly extensions?: string;
  readonly signed?: boolean;
}

export function responseXml(spec: ResponseSpec): string {
  const id = spec.id ?? newId();
  const dest = spec.destination === undefined ? '' : ` Destination="${spec.destination}"`;
  const irt = spec.inResponseTo === undefined ? '' : ` InResponseTo="${spec.inResponseTo}"`;
  const ext = spec.extensions === undefined ? '' : `<samlp:Extensions>${spec.extensions}</samlp:Extensions>`;
  return `<samlp:Response ${NS} ID="${id}" Version="2.0" IssueInstant="${iso(new Date())}"${dest}${irt}><saml:Issuer>${spec.issuer}</saml:Issuer>${spec.signed === true ? signatureTemplate(id) : ''}${ext}<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>${spec.assertions.join('')}</samlp:Response>`;
}

/** Signs the first ds:Signature template of `xml` with xmlsec1; `node` names the element carrying the ID. */
export async function signXml(dir: string, xml: string, key: TestKey, node: 'Assertion' | 'Response'): Promise<string> {
  const input = join(dir, `${newId()}.xml`);
  const output = `${input}.signed`;
  await writeFile(input, xml);
  const ns = node === 'Assertion' ? 'urn:oasis:names:tc:SAML:2.0:assertion' : 'urn:oasis:names:tc:SAML:2.0:protocol';
  await run('xmlsec1', ['--sign', '--privkey-pem', `${key.keyFile},${key.certFile}`, '--id-attr:ID', `${ns}:${node}`, '--output', output, input]);
  return (await readFile(output, 'utf8')).replace(/^<\?xml[^>]*\?>\s*/, '');
}

export const encode = (xml: string): string => Buffer.from(xml, 'utf8').toString('base64');

/** The ID of the AuthnRequest in an HTTP-Redirect binding URL (SAML Bindings §3.4.4.1: DEFLATE, base64). */
export function requestIdOf(url: string): string {
  const request = new URL(url).searchParams.get('SAMLRequest') ?? '';
  const xml = inflateRawSync(Buffer.from(request, 'base64')).toString('utf8');
  return /\bID="([^"]+)"/.exec(xml)?.[1] ?? '';
}
