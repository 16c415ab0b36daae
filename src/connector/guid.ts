/**
 * Active Directory's objectGUID is 16 raw bytes whose first three fields are little-endian (the
 * Windows GUID layout, MS-DTYP §2.3.4.2), so the string AD tools show reverses those bytes. The
 * same string form is used here, so that ids match what admins see in AD.
 */
export function guidToUuid(bytes: Buffer): string {
  if (bytes.length !== 16) throw new Error(`objectGUID must be 16 bytes (got ${bytes.length})`);
  const hex = (indexes: readonly number[]): string => indexes.map((i) => (bytes[i] ?? 0).toString(16).padStart(2, '0')).join('');
  return [
    hex([3, 2, 1, 0]),
    hex([5, 4]),
    hex([7, 6]),
    hex([8, 9]),
    hex([10, 11, 12, 13, 14, 15]),
  ].join('-');
}

/** The inverse of guidToUuid (for tests and for writing GUID filters). */
export function uuidToGuid(uuid: string): Buffer {
  const h = uuid.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(h)) throw new Error(`not a UUID: ${uuid}`);
  const b = Buffer.from(h, 'hex');
  return Buffer.from([b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], ...b.subarray(8)] as number[]);
}
