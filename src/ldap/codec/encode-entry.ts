import type { SearchEntry } from '../protocol.js';
import { Tag } from '../ber/tags.js';
import { scratch, type BerWriter } from '../ber/writer.js';

/**
 * SearchResultEntry protocolOp (RFC 4511 §4.5.2): [APPLICATION 4] { objectName, attributes
 * PartialAttributeList }. With typesOnly, each attribute is sent with an empty value set (§4.5.1.8).
 */
export function writeEntryBody(w: BerWriter, entry: SearchEntry, typesOnly: boolean): void {
  w.start(Tag.searchResultEntry);
  w.string(Tag.octetString, entry.objectName);
  w.start(Tag.sequence);
  for (const attr of entry.attributes) {
    w.start(Tag.sequence);
    w.string(Tag.octetString, attr.type);
    w.start(Tag.set);
    if (!typesOnly) {
      const values = attr.values;
      for (let i = 0; i < values.length; i++) w.value(Tag.octetString, values[i] as string | Buffer);
    }
    w.end();
    w.end();
  }
  w.end();
  w.end();
}

/** The entry's protocolOp alone, to cache and later wrap with `encodeMessage`. */
export function encodeEntryBody(entry: SearchEntry, typesOnly = false): Buffer {
  const w = scratch.reset();
  writeEntryBody(w, entry, typesOnly);
  return w.finish();
}

/** A complete SearchResultEntry message in one pass. */
export function encodeSearchEntry(messageId: number, entry: SearchEntry, typesOnly = false): Buffer {
  const w = scratch.reset();
  w.start(Tag.sequence);
  w.integer(Tag.integer, messageId);
  writeEntryBody(w, entry, typesOnly);
  w.end();
  return w.finish();
}
