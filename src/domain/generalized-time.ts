/**
 * GeneralizedTime (RFC 4517 §3.3.13) to epoch milliseconds, for generalizedTimeMatch and
 * generalizedTimeOrderingMatch. Accepts what clients send in `>=` filters: `YYYYMMDDHHMMSSZ`,
 * fractions (`.0Z`, Keycloak; `,5Z`), minutes or hours only (`202401011200Z`), and `+hhmm` /
 * `-hh` offsets. A value without any zone is read as UTC (lenient; RFC 4517 requires one).
 */
const GENERALIZED_TIME =
  /^(\d{4})(\d{2})(\d{2})(\d{2})(?:(\d{2})(\d{2})?)?(?:[.,](\d+))?(Z|[+-]\d{2}(?:\d{2})?)?$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const MS = { hour: 3_600_000, minute: 60_000, second: 1_000 } as const;

function offsetMs(zone: string | undefined): number | undefined {
  if (zone === undefined || zone === 'Z') return 0;
  const hours = Number(zone.slice(1, 3));
  const minutes = zone.length > 3 ? Number(zone.slice(3, 5)) : 0;
  if (hours > 23 || minutes > 59) return undefined;
  const magnitude = hours * MS.hour + minutes * MS.minute;
  return zone.startsWith('-') ? -magnitude : magnitude;
}

/** Epoch milliseconds (fraction kept), or undefined when the string is not a GeneralizedTime. */
export function parseGeneralizedTime(value: string): number | undefined {
  const m = GENERALIZED_TIME.exec(value.trim());
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, fraction, zone] = m;
  const year = Number(y), month = Number(mo), day = Number(d), hour = Number(h);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return undefined;
  if (day > daysInMonth(year, month)) return undefined; // 31 April, 30 February...
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second));
  // Date.UTC maps years 0-99 to 1900-1999; GeneralizedTime years are literal.
  date.setUTCFullYear(year + date.getUTCFullYear() - 2000);
  const offset = offsetMs(zone);
  if (offset === undefined) return undefined;
  const unit = s !== undefined ? MS.second : mi !== undefined ? MS.minute : MS.hour;
  const frac = fraction === undefined ? 0 : Number(`0.${fraction}`) * unit;
  return date.getTime() + frac - offset;
}

/** Canonical `YYYYMMDDHHMMSSZ` (DESIGN §3) for a Date. */
export function formatGeneralizedTime(date: Date): string {
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return (
    pad(date.getUTCFullYear(), 4) + pad(date.getUTCMonth() + 1) + pad(date.getUTCDate()) +
    pad(date.getUTCHours()) + pad(date.getUTCMinutes()) + pad(date.getUTCSeconds()) + 'Z'
  );
}
