import type { Client, Entry } from 'ldapts';

/**
 * Active Directory's range retrieval (MS-ADTS 3.1.1.3.1.3.3): a multi-valued attribute with more
 * values than MaxValRange (1500 by default) comes back as `member;range=0-1499` instead of
 * `member`; the client asks for `member;range=1500-*` with a base search on the same entry, and
 * so on until the server answers a chunk whose upper bound is `*` (the last one). No RFC covers
 * this; other servers never send the option, so an entry without it is read as is.
 */

export interface RangeChunk {
  readonly low: number;
  /** `*` marks the final chunk. */
  readonly high: number | '*';
  readonly values: readonly string[];
}

/** The server's ranges do not add up to a complete value list. */
export class RangeRetrievalError extends Error {
  override readonly name = 'RangeRetrievalError';
}

/** Chunks beyond this many are refused: a server that never says `*` must not loop us forever. */
const MAX_ROUNDS = 10_000;

/** `{low, high}` when `key` is `<attribute>;range=<low>-<high|*>` (case-insensitive), else undefined. */
export function parseRangeOption(key: string, attribute: string): { low: number; high: number | '*' } | undefined {
  const prefix = `${attribute.toLowerCase()};range=`;
  if (!key.toLowerCase().startsWith(prefix)) return undefined;
  const match = /^(\d+)-(\d+|\*)$/.exec(key.slice(prefix.length));
  if (match === null) return undefined;
  const low = Number(match[1]);
  const high = match[2] === '*' ? '*' : Number(match[2]);
  return high !== '*' && high < low ? undefined : { low, high };
}

const text = (v: string | Buffer): string => (Buffer.isBuffer(v) ? v.toString('utf8') : v);

/**
 * The ranged chunk of `attribute` an entry carries, or undefined when it has none. Keys without
 * values are skipped: ldapts adds every requested attribute the answer lacks as `[]`, so asking
 * for `member;range=1500-*` always yields that key, even when the server sent something else.
 */
export function rangedChunk(entry: Entry, attribute: string): RangeChunk | undefined {
  for (const [key, value] of Object.entries(entry)) {
    const range = key === 'dn' ? undefined : parseRangeOption(key, attribute);
    const values = (Array.isArray(value) ? value : [value]).map(text).filter((v) => v !== '');
    if (range !== undefined && values.length > 0) return { ...range, values };
  }
  return undefined;
}

/**
 * Joins the chunks of one attribute, in order. Throws (with the reason) unless they run from 0
 * without gaps or overlaps and the last one ends with `*`: a partial member list must never be
 * taken for the whole one.
 */
export function mergeRangeChunks(chunks: readonly RangeChunk[]): string[] {
  const values: string[] = [];
  let next = 0;
  for (const [i, chunk] of chunks.entries()) {
    if (chunk.low !== next) throw new RangeRetrievalError(`range ${chunk.low}-${chunk.high} does not follow on from value ${next}`);
    if (chunk.high !== '*' && chunk.values.length !== chunk.high - chunk.low + 1) {
      throw new RangeRetrievalError(`range ${chunk.low}-${chunk.high} holds ${chunk.values.length} values`);
    }
    if (chunk.high === '*' && i !== chunks.length - 1) throw new RangeRetrievalError(`range ${chunk.low}-* is not the last chunk`);
    values.push(...chunk.values);
    next = chunk.high === '*' ? Number.NaN : chunk.high + 1;
  }
  if (chunks.at(-1)?.high !== '*') throw new RangeRetrievalError(`the values stop at ${next - 1} without a final range (…-*)`);
  return values;
}

/**
 * Fetches the remaining chunks of `attribute` after `first` by base searches on `dn`
 * (`<attribute>;range=<next>-*`) and returns every value. Throws when the server stops answering
 * with ranges; LDAP and transport errors propagate as ldapts raised them.
 */
export async function fetchRangedValues(client: Client, dn: string, attribute: string, first: RangeChunk): Promise<string[]> {
  const chunks: RangeChunk[] = [first];
  for (let round = 0; chunks.at(-1)?.high !== '*'; round++) {
    if (round >= MAX_ROUNDS) throw new RangeRetrievalError(`more than ${MAX_ROUNDS} ranges of ${attribute}`);
    const last = chunks.at(-1) as RangeChunk;
    const next = (last.high as number) + 1;
    const request = `${attribute};range=${next}-*`;
    const { searchEntries } = await client.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: [request] });
    const chunk = searchEntries[0] === undefined ? undefined : rangedChunk(searchEntries[0], attribute);
    if (chunk === undefined) throw new RangeRetrievalError(`the source answered ${request} without a ranged ${attribute}`);
    if (chunk.low !== next) throw new RangeRetrievalError(`asked for ${request}, the source answered range ${chunk.low}-${chunk.high}`);
    chunks.push(chunk);
  }
  return mergeRangeChunks(chunks);
}
