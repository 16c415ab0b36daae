import { DirectoryError } from '../../domain/errors.js';
import { hashBearerToken, newBearerToken } from '../../crypto/bearer-token.js';
import type { ApiToken } from '../../store/api-token-store.js';
import type { Store } from '../../store/store.js';

/**
 * API tokens of a user (DESIGN §8) and the audit of sign-ins: the token row and its audit entry are
 * written here, so routes never open a transaction (issue 11). The token value is returned once and
 * only its SHA-256 is stored.
 */
export interface NewApiToken {
  readonly name: string;
  readonly scope: ApiToken['scope'];
  readonly expiresAt: Date | null;
}

export async function createApiToken(store: Store, userId: string, input: NewApiToken, ip: string): Promise<{ record: ApiToken; token: string }> {
  const token = newBearerToken();
  const record = await store.apiTokens.insert({ userId, kind: 'api', name: input.name, scope: input.scope, tokenHash: hashBearerToken(token), expiresAt: input.expiresAt });
  await store.write((tx) => tx.appendAudit({ actor: userId, action: 'token.create', target: record.id, ip, details: { name: record.name, scope: record.scope } }));
  return { record, token };
}

/** Revokes one of the user's own API tokens; 404 for a token that is not theirs or not there. */
export async function revokeApiToken(store: Store, userId: string, id: string, ip: string): Promise<void> {
  if (!(await store.apiTokens.delete(id, userId))) throw new DirectoryError('not_found', `no API token "${id}"`);
  await store.write((tx) => tx.appendAudit({ actor: userId, action: 'token.delete', target: id, ip }));
}

export interface SignInAudit {
  readonly actor: string | null;
  readonly target: string | null;
  readonly result: 'ok' | 'failed';
  readonly ip: string;
  readonly details: Record<string, unknown>;
}

/** One `http.login` audit row (the refusal reason stays in the audit, never in the answer). */
export function auditSignIn(store: Store, row: SignInAudit): Promise<void> {
  return store.write((tx) => tx.appendAudit({ action: 'http.login', ...row })).then(() => undefined);
}
