/**
 * GeneralizedTime in the one form pgdir emits, `YYYYMMDDHHMMSSZ` (RFC 4517 §3.3.13, UTC, no
 * fraction): Keycloak crashed on RFC 3339 strings (clients.md §1.9).
 */
export function generalizedTime(date: Date): string {
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  return (
    pad(date.getUTCFullYear(), 4) +
    pad(date.getUTCMonth() + 1) +
    pad(date.getUTCDate()) +
    pad(date.getUTCHours()) +
    pad(date.getUTCMinutes()) +
    pad(date.getUTCSeconds()) +
    'Z'
  );
}
