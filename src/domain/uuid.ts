/** A UUID in its canonical 8-4-4-4-12 hex form, either case (RFC 9562 §4). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a UUID; ids are compared lower-case, so callers lower-case before lookups. */
export const isUuid = (value: string): boolean => UUID.test(value);
