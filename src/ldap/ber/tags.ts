/**
 * BER tag octets used by LDAPv3 (RFC 4511 appendix B, X.690 §8.1.2). Every LDAP tag fits one octet:
 * class bits 7-6, constructed bit 5, number bits 4-0 (< 31).
 */
export const Tag = {
  boolean: 0x01,
  integer: 0x02,
  octetString: 0x04,
  null: 0x05,
  enumerated: 0x0a,
  sequence: 0x30,
  set: 0x31,

  // protocolOp choices: [APPLICATION n], constructed unless noted.
  bindRequest: 0x60,
  bindResponse: 0x61,
  unbindRequest: 0x42, // primitive NULL
  searchRequest: 0x63,
  searchResultEntry: 0x64,
  searchResultDone: 0x65,
  modifyRequest: 0x66,
  modifyResponse: 0x67,
  addRequest: 0x68,
  addResponse: 0x69,
  delRequest: 0x4a, // primitive LDAPDN
  delResponse: 0x6b,
  modDNRequest: 0x6c,
  modDNResponse: 0x6d,
  compareRequest: 0x6e,
  compareResponse: 0x6f,
  abandonRequest: 0x50, // primitive MessageID
  searchResultReference: 0x73,
  extendedRequest: 0x77,
  extendedResponse: 0x78,
  intermediateResponse: 0x79,

  /** [0] constructed: controls in LDAPMessage; also filter `and`. */
  ctx0c: 0xa0,
  /** [n] primitive context tags. */
  ctx0: 0x80,
  ctx1: 0x81,
  ctx2: 0x82,
  ctx3: 0x83,
  ctx4: 0x84,
  ctx7: 0x87,
  ctx10: 0x8a,
  ctx11: 0x8b,
  /** [3] constructed: sasl credentials in BindRequest, referral in LDAPResult. */
  ctx3c: 0xa3,
} as const;

/** Filter CHOICE tags (RFC 4511 §4.5.1). */
export const FilterTag = {
  and: 0xa0,
  or: 0xa1,
  not: 0xa2,
  equality: 0xa3,
  substrings: 0xa4,
  greaterOrEqual: 0xa5,
  lessOrEqual: 0xa6,
  present: 0x87,
  approx: 0xa8,
  extensible: 0xa9,
} as const;

export const MAX_INT = 2147483647; // maxInt, RFC 4511 §4.1.1
