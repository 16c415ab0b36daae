import type { Actor } from '../../domain/actor.js';
import { assertMay } from '../../domain/permissions.js';
import type { Store } from '../../store/store.js';
import { formatCsv, neutraliseFormula } from './csv.js';
import { EXPORT_COLUMNS, toExported } from './user-columns.js';

/**
 * Every user as CSV (header row, RFC 4180) or JSON (array of camelCase objects), with exactly the
 * fields of DESIGN §7: never password hashes or TOTP secrets. CSV cells that a spreadsheet would
 * run as formulas are neutralised (csv.ts); JSON is exact.
 */
export async function exportUsers(store: Store, actor: Actor, format: 'csv' | 'json'): Promise<{ contentType: string; text: string }> {
  assertMay(actor, 'users.export');
  const { users } = await store.listUsers({});
  const rows = users.map(toExported);
  if (format === 'json') return { contentType: 'application/json; charset=utf-8', text: JSON.stringify(rows, null, 2) + '\n' };
  const lines = rows.map((u) => [u.id, u.username, u.email, u.fallbackEmail, u.fullName, u.role, String(u.active)].map(neutraliseFormula));
  return { contentType: 'text/csv; charset=utf-8; header=present', text: formatCsv([[...EXPORT_COLUMNS], ...lines]) };
}
