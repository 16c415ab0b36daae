import { createHash, hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { writeFile, chmod, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { actorLabel, type Actor } from '../../domain/actor.js';
import { invalid } from '../../domain/errors.js';
import type { Store, StoreTx } from '../../store/store.js';
import { SettingKey } from '../settings/setting-keys.js';
import type { MaybeAsync } from '../../domain/maybe-async.js';

/** Settings key holding the salted digest of the directory admin secret (never the secret). */
export const ADMIN_SECRET_SETTING = SettingKey.adminSecret;

interface StoredSecret {
  readonly salt: string;
  readonly sha256: string;
}

export interface AdminSecretLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface AdminSecret {
  /**
   * Constant-time check of a bind password (its bytes, or the UTF-8 string a sign-in carries)
   * against the current secret: synchronous, unless the secret is being re-read after a change.
   */
  verify(password: Buffer | string): MaybeAsync<boolean>;
  /** True when the secret comes from `ldap.admin_password_file` (the API reports it locked). */
  readonly pinned: boolean;
}

/**
 * The secret of `cn=admin,ou=system,<suffix>` (DESIGN §3). A salted SHA-256 digest is enough: the
 * generated secret carries 256 bits of entropy and a set one must be at least 16 characters, so
 * bcrypt's cost would only slow down every admin bind (the hot path of most applications).
 */
export async function openAdminSecret(options: {
  store: Store;
  dataDir: string;
  pinnedSecret?: string;
  logger: AdminSecretLogger;
}): Promise<AdminSecret> {
  const { store, pinnedSecret } = options;
  if (pinnedSecret !== undefined) {
    const stored = digest(pinnedSecret, 'pinned');
    return { pinned: true, verify: (password) => matches(stored, password) };
  }
  let cached = await store.getSetting<StoredSecret>(ADMIN_SECRET_SETTING);
  if (cached === undefined) cached = await generateFirstSecret(options);
  let stale = false;
  let retryAt = 0;
  /** The re-read in flight: binds that arrive meanwhile wait for it rather than check the old secret. */
  let rereading: Promise<void> | undefined;
  // Any committed change may be a rotation: re-read lazily on the next bind after it.
  store.subscribe(() => {
    stale = true;
  });
  return {
    pinned: false,
    verify(password) {
      if (stale && performance.now() >= retryAt) {
        stale = false;
        // While the database is away (or stalled), the last secret read stands and the re-read is
        // retried a few seconds later: admin binds keep working (DESIGN §2.3, issue 20 defect 1).
        const current: Promise<void> = withinSecond(store.getSetting<StoredSecret>(ADMIN_SECRET_SETTING))
          .then((read) => void (cached = read ?? cached))
          .catch(() => {
            stale = true;
            retryAt = performance.now() + 5_000;
          })
          .finally(() => {
            if (rereading === current) rereading = undefined;
          });
        rereading = current;
      }
      if (rereading !== undefined) return rereading.then(() => cached !== undefined && matches(cached, password));
      return cached !== undefined && matches(cached, password);
    },
  };
}

function withinSecond<T>(work: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer from the database')), 1_000);
    work.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

async function generateFirstSecret(options: {
  store: Store;
  dataDir: string;
  logger: AdminSecretLogger;
}): Promise<StoredSecret> {
  const secret = generateSecret();
  const path = await writeSecretFile(options.dataDir, secret);
  const stored = await options.store.write((tx) => setAdminSecret(tx, secret, 'generated'));
  options.logger.warn({ path }, 'generated the directory admin secret; it is in this file (mode 0600)');
  return stored;
}

/** Sets the secret inside a transaction; `who` goes to the audit log. */
export async function setAdminSecret(tx: StoreTx, secret: string, who: string): Promise<StoredSecret> {
  if (secret.length < 16) throw invalid('the directory admin secret must be at least 16 characters', 'secret');
  if (secret.length > 1024) throw invalid('the directory admin secret must be at most 1024 characters', 'secret');
  const stored = digest(secret, randomBytes(16).toString('hex'));
  await tx.setSetting(ADMIN_SECRET_SETTING, stored);
  await tx.appendAudit({ actor: who, action: 'directory.secret.set', target: 'cn=admin', result: 'ok' });
  return stored;
}

/** The use case: sets the secret in its own transaction, audited as `actor`. */
export function saveAdminSecret(store: Store, secret: string, actor: Actor): Promise<StoredSecret> {
  return store.write((tx) => setAdminSecret(tx, secret, actorLabel(actor)));
}

export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

export async function writeSecretFile(dataDir: string, secret: string): Promise<string> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, 'admin-secret');
  // No trailing newline: `ldapsearch -y FILE` sends the file's bytes verbatim.
  await writeFile(path, secret, { mode: 0o600 });
  await chmod(path, 0o600);
  return path;
}

function digest(secret: string, salt: string): StoredSecret {
  return { salt, sha256: createHash('sha256').update(salt).update(secret).digest('hex') };
}

/** A stored secret's salt and digest as bytes, decoded once per stored value (admin binds are a hot path). */
const DECODED = new WeakMap<StoredSecret, { readonly salt: Buffer; readonly expected: Buffer }>();

function matches(stored: StoredSecret, password: Buffer | string): boolean {
  let decoded = DECODED.get(stored);
  if (decoded === undefined) {
    decoded = { salt: Buffer.from(stored.salt, 'utf8'), expected: Buffer.from(stored.sha256, 'hex') };
    DECODED.set(stored, decoded);
  }
  // The same digest as `digest()`: SHA-256 over the salt's UTF-8 bytes, then the password's. A
  // string is hashed as the UTF-8 of salt + password (the same bytes), without a Buffer for each.
  const input = typeof password === 'string' ? stored.salt + password : Buffer.concat([decoded.salt, password]);
  const given = hash('sha256', input, 'buffer');
  return given.length === decoded.expected.length && timingSafeEqual(given, decoded.expected);
}

/** Runs where the request lands (daemon or CLI process): stores the digest, writes the file. */
export async function applySecretRequest(
  setSecret: (secret: string) => Promise<unknown>,
  args: Record<string, unknown>,
): Promise<{ action: string; path?: string; secret?: string }> {
  const secret = typeof args['secret'] === 'string' ? args['secret'] : '';
  const action = String(args['action']);
  await setSecret(secret);
  if (typeof args['dataDir'] !== 'string') return { action };
  // A secret chosen by hand is not written anywhere; a stale generated one must not linger.
  if (action !== 'rotate') return { action, path: await rm(join(args['dataDir'], 'admin-secret'), { force: true }).then(() => undefined) };
  return { action, path: await writeSecretFile(args['dataDir'], secret), secret };
}
