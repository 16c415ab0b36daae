import { parseXmlDocument } from './saml-metadata.js';

const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

/** SHA-256 or stronger only (issue 14): SHA-1 signatures are forgeable in practice (SHAttered). */
const SIGNATURE_METHODS = new Set([
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512',
]);
const DIGEST_METHODS = new Set([
  'http://www.w3.org/2001/04/xmlenc#sha256',
  'http://www.w3.org/2001/04/xmldsig-more#sha384',
  'http://www.w3.org/2001/04/xmlenc#sha512',
]);

/** A response pgdir refuses; `reason` goes to the audit log only. */
export class SamlRefusal extends Error {
  constructor(readonly reason: string, detail: string) {
    super(detail);
    this.name = 'SamlRefusal';
  }
}

const children = (parent: Element, ns: string, name: string): Element[] =>
  Array.from(parent.childNodes).filter((n): n is Element => n.nodeType === 1 && (n as Element).localName === name && (n as Element).namespaceURI === ns);
const text = (el: Element | undefined): string => el?.textContent?.trim() ?? '';

/**
 * Checks of the whole (possibly unsigned) response before node-saml looks at it: well-formed, no
 * DTD, a samlp:Response, every signature SHA-256 or stronger, and where the response names its
 * Destination (SAML Bindings §3.5.5.2) and Issuer (SAML Core §3.2.2), that they are pgdir's ACS
 * and the configured IdP.
 */
export function checkResponse(xml: string, expected: { readonly acsUrl: string; readonly idpEntityId: string }): void {
  let root: Element;
  try {
    root = parseXmlDocument(xml, 'the SAML response');
  } catch (error) {
    throw new SamlRefusal('malformed', (error as Error).message);
  }
  if (root.localName !== 'Response' || root.namespaceURI !== SAMLP) throw new SamlRefusal('malformed', `root element <${root.tagName}> is not samlp:Response`);
  for (const method of Array.from(root.getElementsByTagNameNS(DS, 'SignatureMethod'))) {
    if (!SIGNATURE_METHODS.has(method.getAttribute('Algorithm') ?? '')) throw new SamlRefusal('weak_algorithm', `signature method ${method.getAttribute('Algorithm')}`);
  }
  for (const method of Array.from(root.getElementsByTagNameNS(DS, 'DigestMethod'))) {
    if (!DIGEST_METHODS.has(method.getAttribute('Algorithm') ?? '')) throw new SamlRefusal('weak_algorithm', `digest method ${method.getAttribute('Algorithm')}`);
  }
  const destination = root.getAttribute('Destination');
  if (destination !== null && destination !== '' && destination !== expected.acsUrl) throw new SamlRefusal('destination', `Destination ${destination}`);
  const issuer = children(root, SAML, 'Issuer')[0];
  if (issuer !== undefined && text(issuer) !== expected.idpEntityId) throw new SamlRefusal('issuer', `response Issuer ${text(issuer)}`);
}

/** What the replay memory needs of an accepted assertion. */
export interface AssertionFacts {
  readonly id: string;
  /** Until when the assertion could be presented: its latest NotOnOrAfter plus the skew. */
  readonly rememberUntil: Date;
}

/**
 * Checks of the signed assertion node-saml verified (its own XML, so nothing outside the
 * signature can speak): Issuer is the IdP (SAML Core §2.3.3), a bearer SubjectConfirmation whose
 * Recipient is pgdir's ACS and whose NotOnOrAfter has not passed (SAML Profiles §4.1.4.2).
 */
export function checkAssertion(assertionXml: string, expected: { readonly acsUrl: string; readonly idpEntityId: string; readonly skewMs: number; readonly nowMs: number }): AssertionFacts {
  const root = parseXmlDocument(assertionXml, 'the assertion');
  const id = root.getAttribute('ID') ?? '';
  if (root.localName !== 'Assertion' || id === '') throw new SamlRefusal('malformed', 'signed assertion without ID');
  const issuer = text(children(root, SAML, 'Issuer')[0]);
  if (issuer !== expected.idpEntityId) throw new SamlRefusal('issuer', `assertion Issuer ${issuer}`);
  const subject = children(root, SAML, 'Subject')[0];
  const data = (subject === undefined ? [] : children(subject, SAML, 'SubjectConfirmation'))
    .filter((c) => c.getAttribute('Method') === BEARER)
    .flatMap((c) => children(c, SAML, 'SubjectConfirmationData'));
  const forUs = data.filter((d) => d.getAttribute('Recipient') === expected.acsUrl);
  if (forUs.length === 0) throw new SamlRefusal('recipient', `Recipient ${data.map((d) => d.getAttribute('Recipient')).join(', ') || 'missing'}`);
  const until = forUs.map((d) => Date.parse(d.getAttribute('NotOnOrAfter') ?? '')).filter((t) => !Number.isNaN(t));
  const latest = Math.max(...until);
  if (until.length === 0 || expected.nowMs - expected.skewMs >= latest) throw new SamlRefusal('time', 'bearer SubjectConfirmationData expired or without NotOnOrAfter');
  const conditions = children(root, SAML, 'Conditions')[0];
  const conditionsEnd = Date.parse(conditions?.getAttribute('NotOnOrAfter') ?? '');
  return { id, rememberUntil: new Date(Math.max(latest, Number.isNaN(conditionsEnd) ? 0 : conditionsEnd) + expected.skewMs) };
}

/** node-saml's error messages, sorted into the audit log's reasons. */
export function reasonOf(error: unknown): string {
  if (error instanceof SamlRefusal) return error.reason;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error && error.name === 'SamlStatusError') return 'idp_status';
  if (/InResponseTo/i.test(message)) return 'in_response_to';
  if (/signature/i.test(message)) return 'signature';
  if (/audience/i.test(message)) return 'audience';
  if (/issuer/i.test(message)) return 'issuer';
  if (/not yet valid|expired|too old|subject confirmation/i.test(message)) return 'time';
  return 'malformed';
}
