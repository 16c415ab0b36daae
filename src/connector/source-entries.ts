import { ResultCodeError, type Client, type Entry } from 'ldapts';
import { tryNormalizeDn } from '../domain/dn.js';
import type { ConnectorConfig } from './connector-config.js';
import { guidToUuid } from './guid.js';
import { fetchRangedValues, RangeRetrievalError, rangedChunk } from './ranged-values.js';
import { describeSourceError, isTransportError } from './source-client.js';

/**
 * Reading users and groups from the source: paged searches (RFC 2696, so that directories with a
 * size limit such as AD's 1000 still hand over everything) and the mapping of entries to plain
 * records by the configured attribute names (matched case-insensitively, as servers may spell
 * them differently from the request).
 */

export interface SourceUser {
  readonly dn: string;
  readonly normDn: string;
  /** Stable id: the id attribute's value (objectGUID as a UUID string), else the normalised DN. */
  readonly id: string;
  readonly username: string | undefined;
  readonly email: string | undefined;
  readonly displayName: string;
  /** The source marks the account disabled (AD userAccountControl ACCOUNTDISABLE): mirrored inactive. */
  readonly disabled: boolean;
}

export interface SourceGroup {
  readonly dn: string;
  readonly normDn: string;
  readonly id: string;
  readonly name: string | undefined;
  readonly description: string;
  /** Member DNs (member/uniqueMember) or usernames (memberUid), as the source gives them. */
  readonly members: readonly string[];
  /**
   * Why the member list is not complete (an AD ranged attribute that could not be read to its
   * end). Such a group is reported as an error and left as it is, never emptied.
   */
  readonly incomplete?: string;
}

/** Attributes that hold binary values and must not be decoded as UTF-8. */
const BINARY = new Set(['objectguid', 'objectsid']);

type Values = Map<string, readonly (string | Buffer)[]>;

function valuesOf(entry: Entry): Values {
  const map: Values = new Map();
  for (const [key, value] of Object.entries(entry)) {
    if (key === 'dn') continue;
    map.set(key.toLowerCase(), Array.isArray(value) ? value : [value]);
  }
  return map;
}

function first(values: Values, name: string): string | undefined {
  const value = values.get(name.toLowerCase())?.[0];
  if (value === undefined) return undefined;
  const text = Buffer.isBuffer(value) ? value.toString('utf8') : value;
  return text.trim() === '' ? undefined : text.trim();
}

function all(values: Values, name: string): string[] {
  return (values.get(name.toLowerCase()) ?? []).map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : v)).filter((v) => v !== '');
}

function stableId(values: Values, attribute: string, normDn: string): string {
  if (attribute.toLowerCase() === 'dn') return normDn;
  const raw = values.get(attribute.toLowerCase())?.[0];
  if (raw === undefined) return normDn;
  if (Buffer.isBuffer(raw)) return raw.length === 16 ? guidToUuid(raw) : raw.toString('hex');
  return raw.trim().toLowerCase();
}

/** A DN as compared everywhere in the connector: normalised, or lower-cased when unparsable. */
export function normDnOf(dn: string): string {
  return tryNormalizeDn(dn) ?? dn.toLowerCase();
}

function usernameOf(value: string | undefined, config: ConnectorConfig): string | undefined {
  if (value === undefined || !config.usernameStripDomain) return value;
  const at = value.lastIndexOf('@');
  return at > 0 ? value.slice(0, at) : value;
}

/** True when the flags attribute has any bit of the mask set (an integer, as AD sends it). */
function disabledBy(values: Values, flag: ConnectorConfig['disabledFlag']): boolean {
  if (flag === undefined) return false;
  const raw = first(values, flag.attribute);
  if (raw === undefined || !/^-?\d+$/.test(raw)) return false;
  // userAccountControl is a signed 32-bit integer on the wire; BigInt keeps every bit.
  return (BigInt.asUintN(32, BigInt(raw)) & BigInt(flag.mask)) !== 0n;
}

export function toSourceUser(entry: Entry, config: ConnectorConfig): SourceUser {
  const values = valuesOf(entry);
  const normDn = normDnOf(entry.dn);
  const given = first(values, 'givenName');
  const sn = first(values, 'sn');
  const composed = [given, sn].filter((p) => p !== undefined).join(' ');
  return {
    dn: entry.dn,
    normDn,
    id: stableId(values, config.idAttribute, normDn),
    username: usernameOf(first(values, config.usernameAttribute), config),
    email: first(values, config.emailAttribute),
    displayName: first(values, config.displayNameAttribute) ?? (composed !== '' ? composed : (first(values, 'cn') ?? '')),
    disabled: disabledBy(values, config.disabledFlag),
  };
}

/**
 * The group as the entry shows it. A ranged membership attribute (AD, see ranged-values.ts) that
 * is not the whole list leaves the group `incomplete`; readSourceGroups fetches the rest.
 */
export function toSourceGroup(entry: Entry, config: ConnectorConfig): SourceGroup {
  const values = valuesOf(entry);
  const normDn = normDnOf(entry.dn);
  const attribute = config.membershipAttribute;
  const chunk = rangedChunk(entry, attribute);
  const partial = chunk !== undefined && (chunk.low !== 0 || chunk.high !== '*');
  return {
    dn: entry.dn,
    normDn,
    id: stableId(values, config.idAttribute, normDn),
    name: first(values, config.groupNameAttribute),
    description: first(values, 'description') ?? '',
    members: chunk !== undefined ? [...chunk.values] : all(values, attribute),
    ...(partial ? { incomplete: `the source sent ${attribute};range=${chunk.low}-${chunk.high}, not the whole member list` } : {}),
  };
}

/**
 * Reads the remaining ranges of a ranged member list. A source that answers the ranges wrongly
 * or refuses them leaves the group incomplete (reported, old members kept); a source that goes
 * away fails the whole run, as any other read would.
 */
async function completeMembers(client: Client, entry: Entry, config: ConnectorConfig): Promise<SourceGroup> {
  const group = toSourceGroup(entry, config);
  const chunk = group.incomplete === undefined ? undefined : rangedChunk(entry, config.membershipAttribute);
  if (chunk === undefined) return group;
  const { incomplete: _partial, ...rest } = group;
  try {
    return { ...rest, members: await fetchRangedValues(client, entry.dn, config.membershipAttribute, chunk) };
  } catch (error) {
    const refused = error instanceof ResultCodeError && !isTransportError(error);
    if (!(error instanceof RangeRetrievalError) && !refused) throw error;
    const why = refused ? `the source answered ${describeSourceError(error)}` : (error as Error).message;
    return { ...group, incomplete: `could not read the whole ranged ${config.membershipAttribute} list: ${why}` };
  }
}

const attributesFor = (names: readonly string[]): { attributes: string[]; explicitBufferAttributes: string[] } => {
  const attributes = [...new Set(names.filter((n) => n.toLowerCase() !== 'dn'))];
  return { attributes, explicitBufferAttributes: attributes.filter((n) => BINARY.has(n.toLowerCase())) };
};

export function userAttributes(config: ConnectorConfig): string[] {
  const names = [config.usernameAttribute, config.emailAttribute, config.displayNameAttribute, config.idAttribute];
  const flags = config.disabledFlag === undefined ? [] : [config.disabledFlag.attribute];
  return attributesFor([...names, ...flags, 'givenName', 'sn', 'cn']).attributes;
}

/** Every entry a paged subtree search finds, page by page. */
export async function searchAll(
  client: Client,
  base: string,
  filter: string,
  names: readonly string[],
  pageSize: number,
): Promise<Entry[]> {
  const entries: Entry[] = [];
  const options = { scope: 'sub' as const, filter, ...attributesFor(names), paged: { pageSize } };
  for await (const page of client.searchPaginated(base, options)) entries.push(...page.searchEntries);
  return entries;
}

export async function readSourceUsers(client: Client, config: ConnectorConfig): Promise<SourceUser[]> {
  const entries = await searchAll(client, config.usersBaseDn, config.usersFilter, userAttributes(config), config.pageSize);
  return entries.map((e) => toSourceUser(e, config));
}

export async function readSourceGroups(client: Client, config: ConnectorConfig): Promise<SourceGroup[]> {
  const names = [config.groupNameAttribute, config.membershipAttribute, config.idAttribute, 'description'];
  const entries = await searchAll(client, config.groupsBaseDn, config.groupsFilter, names, config.pageSize);
  const groups: SourceGroup[] = [];
  // After the paged search has finished, one group at a time on the same bound connection.
  for (const entry of entries) groups.push(await completeMembers(client, entry, config));
  return groups;
}

/** RFC 4515 §3: escape `*`, `(`, `)`, `\` and NUL in an assertion value. */
export function escapeFilterValue(value: string): string {
  return value.replace(/[*()\\\u0000]/g, (ch) => `\\${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
