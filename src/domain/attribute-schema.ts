import { ATTRIBUTE_TYPES, type AttributeTypeDefinition, type AttributeUsage } from './attribute-types.js';

export type { AttributeUsage } from './attribute-types.js';

/** An attribute type as the rest of pgdir sees it: definition plus derived lookup fields. */
export interface AttributeType extends AttributeTypeDefinition {
  /** Canonical spelling returned on the wire (`givenName`, `memberOf`, `entryUUID`). */
  readonly name: string;
  /** Lower-case canonical name: the key of `Entry.attributes` and of DN attribute types. */
  readonly key: string;
  /** usage other than userApplications (RFC 4512 §3.4): returned only for `+` or by name. */
  readonly operational: boolean;
}

function describe(def: AttributeTypeDefinition): AttributeType {
  const name = def.names[0];
  if (name === undefined) throw new Error(`attribute ${def.oid} has no name`);
  const operational = def.usage !== ('userApplications' satisfies AttributeUsage);
  return Object.freeze({ ...def, name, key: name.toLowerCase(), operational });
}

const ALL: readonly AttributeType[] = Object.freeze(ATTRIBUTE_TYPES.map(describe));

/** Every name, alias and OID, lower-cased, to its descriptor. */
const BY_NAME: ReadonlyMap<string, AttributeType> = (() => {
  const map = new Map<string, AttributeType>();
  for (const type of ALL) {
    for (const id of [...type.names, type.oid]) {
      const lower = id.toLowerCase();
      if (map.has(lower)) throw new Error(`duplicate attribute name or OID ${id}`);
      map.set(lower, type);
    }
  }
  return map;
})();

/** Strips attribute options (`cn;lang-en`, `userCertificate;binary`): RFC 4512 §2.5. */
export function stripOptions(description: string): string {
  const semi = description.indexOf(';');
  return semi < 0 ? description : description.slice(0, semi);
}

/**
 * The descriptor for an attribute name, alias or numeric OID in any case (options ignored), or
 * undefined when pgdir does not know it.
 */
export function lookupAttribute(nameOrOid: string): AttributeType | undefined {
  const found = BY_NAME.get(nameOrOid.toLowerCase());
  if (found !== undefined || !nameOrOid.includes(';')) return found;
  return BY_NAME.get(stripOptions(nameOrOid).toLowerCase());
}

/**
 * The key under which an entry stores an attribute: the lower-case canonical name for known
 * attributes (aliases and OIDs resolved), else the lower-cased name itself without options.
 */
export function attributeKey(nameOrOid: string): string {
  return lookupAttribute(nameOrOid)?.key ?? stripOptions(nameOrOid).toLowerCase();
}

/** Every attribute type pgdir publishes, in subschema order. */
export function allAttributeTypes(): readonly AttributeType[] {
  return ALL;
}
