/**
 * An LDAP entry as the directory view holds it and the filter evaluator reads it. Attribute keys
 * are the lower-case canonical attribute name (aliases such as `userid` or `commonName` resolved by
 * the attribute schema); values are strings in their stored form (canonical DNs for DN syntax).
 */
export interface Entry {
  /** Canonical DN as emitted on the wire (lower-case types, no spaces, RFC 4514 escaping). */
  readonly dn: string;
  /** Normalised DN used for comparisons (canonical DN with values lower-cased). */
  readonly normDn: string;
  readonly attributes: ReadonlyMap<string, readonly string[]>;
}

/** One attribute of an entry as sent to a client (SearchResultEntry, RFC 4511 §4.5.2). */
export interface EntryAttribute {
  readonly type: string;
  readonly values: readonly (string | Buffer)[];
}

/** An entry as sent to a client: its DN and the selected attributes. */
export interface SearchEntry {
  readonly objectName: string;
  readonly attributes: readonly EntryAttribute[];
}

/** What the filter evaluator may ask of the directory beyond the entry itself. */
export interface MatchContext {
  /**
   * Resolves a DN given as an assertion value (`member`, `uniqueMember`, `memberOf`, Compare) to
   * the normalised DN of the entry it designates, so `uid=alice,ou=users,<suffix>` matches the
   * user's real DN (DESIGN §4). Returns undefined when it designates nothing known.
   */
  resolveDn?(value: string): string | undefined;
  /** AD in-chain rule (1.2.840.113556.1.4.1941): is `entry` transitively in `groupNormDn`? */
  inChain?(entry: Entry, attribute: string, groupNormDn: string): boolean;
}
