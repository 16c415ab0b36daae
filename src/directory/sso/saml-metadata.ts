import { X509Certificate } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { invalid } from '../../domain/errors.js';

/** What pgdir understood of an identity provider's metadata (SAML Metadata 2.0, saml-metadata-2.0-os). */
export interface IdpMetadata {
  readonly entityId: string;
  readonly ssoUrl: string;
  readonly ssoBinding: 'redirect' | 'post';
  /** Every signing certificate (an IdP rolling its key lists two). */
  readonly certificates: readonly IdpCertificate[];
}
export interface IdpCertificate {
  /** PEM, as node-saml's idpCert takes it. */
  readonly pem: string;
  readonly subject: string;
  readonly notAfter: string;
  readonly fingerprint256: string;
}

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const BINDINGS = {
  'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect': 'redirect',
  'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST': 'post',
} as const;
export const MAX_METADATA_BYTES = 1024 * 1024;
const FIELD = 'metadataXml';

const bad = (message: string) => invalid(`${FIELD}: ${message}`, FIELD);
const children = (parent: Element, ns: string, name: string): Element[] =>
  Array.from(parent.getElementsByTagNameNS(ns, name));

/** Parses XML text (no DTDs: no entity tricks) into its document element, or a 400 naming the error. */
export function parseXmlDocument(xml: string, what: string): Element {
  if (/<!DOCTYPE/i.test(xml)) throw bad(`${what} must not contain a DOCTYPE`);
  const errors: string[] = [];
  const record = (msg: string) => errors.push(msg.replace(/\s+/g, ' ').trim());
  const doc = new DOMParser({ errorHandler: { warning: () => undefined, error: record, fatalError: record } }).parseFromString(xml, 'text/xml');
  const root = doc?.documentElement;
  if (errors.length > 0 || root === null || root === undefined) throw bad(`${what} is not well-formed XML (${errors[0] ?? 'no root element'})`);
  return root;
}

/**
 * Reads the IdP metadata an admin pasted (issue 14): entity ID, the SSO service (HTTP-Redirect
 * preferred, else HTTP-POST) and every signing certificate (KeyDescriptor use="signing" or without
 * `use`, §2.4.1.1). Each refusal is a 400 on `metadataXml` saying what is missing and where.
 */
export function parseIdpMetadata(xml: unknown): IdpMetadata {
  if (typeof xml !== 'string' || xml.trim() === '') throw bad('paste the identity provider metadata XML');
  if (Buffer.byteLength(xml) > MAX_METADATA_BYTES) throw bad(`is larger than ${MAX_METADATA_BYTES} bytes`);
  const root = parseXmlDocument(xml.trim(), 'the metadata');
  const entities = root.localName === 'EntityDescriptor' && root.namespaceURI === MD ? [root] : children(root, MD, 'EntityDescriptor');
  if (entities.length === 0) throw bad(`no md:EntityDescriptor (namespace ${MD}); the root element is <${root.tagName}>`);
  const entity = entities.find((e) => children(e, MD, 'IDPSSODescriptor').length > 0);
  if (entity === undefined) throw bad('no md:IDPSSODescriptor inside md:EntityDescriptor: this is not an identity provider\'s metadata');
  const entityId = entity.getAttribute('entityID')?.trim() ?? '';
  if (entityId === '') throw bad('md:EntityDescriptor has no entityID attribute');
  const idp = children(entity, MD, 'IDPSSODescriptor')[0] as Element;
  return { entityId, ...ssoService(idp), certificates: signingCertificates(idp) };
}

function ssoService(idp: Element): Pick<IdpMetadata, 'ssoUrl' | 'ssoBinding'> {
  const services = children(idp, MD, 'SingleSignOnService').map((s) => ({ binding: BINDINGS[s.getAttribute('Binding') as keyof typeof BINDINGS], url: s.getAttribute('Location')?.trim() ?? '' }));
  const usable = services.find((s) => s.binding === 'redirect') ?? services.find((s) => s.binding === 'post');
  if (usable === undefined) throw bad('md:IDPSSODescriptor has no md:SingleSignOnService with Binding HTTP-Redirect or HTTP-POST');
  let url: URL;
  try {
    url = new URL(usable.url);
  } catch {
    throw bad(`the md:SingleSignOnService Location "${usable.url.slice(0, 200)}" is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw bad('the md:SingleSignOnService Location must be an http(s) URL');
  return { ssoUrl: url.href, ssoBinding: usable.binding ?? 'redirect' };
}

function signingCertificates(idp: Element): IdpCertificate[] {
  const keys = children(idp, MD, 'KeyDescriptor').filter((k) => (k.getAttribute('use') ?? '') === '' || k.getAttribute('use') === 'signing');
  const certificates = keys.flatMap((key, i) =>
    children(key, DS, 'X509Certificate').map((node) => readCertificate(node.textContent ?? '', `md:KeyDescriptor #${i + 1} (signing)`)),
  );
  if (certificates.length === 0) throw bad('md:IDPSSODescriptor has no signing certificate (md:KeyDescriptor use="signing" with ds:X509Certificate)');
  return [...new Map(certificates.map((c) => [c.fingerprint256, c])).values()];
}

function readCertificate(base64: string, where: string): IdpCertificate {
  const body = base64.replace(/\s+/g, '');
  const pem = `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END CERTIFICATE-----\n`;
  try {
    const cert = new X509Certificate(pem);
    return { pem, subject: cert.subject.replace(/\n/g, ', '), notAfter: new Date(cert.validTo).toISOString(), fingerprint256: cert.fingerprint256 };
  } catch {
    throw bad(`the ds:X509Certificate in ${where} is not a valid X.509 certificate`);
  }
}
