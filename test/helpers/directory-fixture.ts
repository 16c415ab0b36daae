import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { createPasswordHasher } from '../../src/crypto/password-hasher.js';
import { createDirectoryServices, type DirectoryServices } from '../../src/directory/directory-services.js';
import { systemActor } from '../../src/domain/actor.js';
import { DirectoryError } from '../../src/domain/errors.js';
import type { Role, User } from '../../src/domain/model.js';
import { openStore } from '../../src/store/open-store.js';
import type { AuditRecord, Store } from '../../src/store/store.js';
import type { StoreFixture, StoreMode } from './databases.js';

/**
 * The set-up the directory's use-case tests share (users, groups, teams): one store of the given
 * mode for the describe block, the directory services on it (bcrypt cost 4), and the checks they
 * all make. Call it inside `describe.each(storeModes)` and destructure what you use: `store` and
 * `dir` stand for the objects its beforeAll makes, so they may be taken before it runs.
 */
export interface DirectoryFixture {
  readonly store: Store;
  readonly dir: DirectoryServices;
  /** A fresh user (unique name, `<name>@example.com`) with the given role, made by the CLI. */
  someone(role?: Role, extra?: { password?: string }): Promise<User>;
  /**
   * Asserts that `run` fails with a DirectoryError matching `expected` and that nothing was
   * written: the same revision and audit length, and the same `also()` (more state to compare).
   */
  refused(run: () => Promise<unknown>, expected: RefusalExpectation, also?: () => Promise<unknown>): Promise<DirectoryError>;
  lastAudit(): Promise<AuditRecord | undefined>;
}

export interface RefusalExpectation {
  readonly kind: string;
  readonly field?: string;
  readonly message?: string | RegExp;
  readonly status?: number;
}

export const uniq = (prefix: string): string => `${prefix}${randomBytes(4).toString('hex')}`;
export const CLI = systemActor('cli');

export function useDirectoryFixture(create: StoreMode['create']): DirectoryFixture {
  let fixture: StoreFixture | undefined;
  let store: Store | undefined;
  let dir: DirectoryServices | undefined;
  beforeAll(async () => {
    fixture = await create();
    store = await openStore(fixture.options);
    dir = createDirectoryServices({ store, hasher: createPasswordHasher({ cost: 4 }) });
  });
  afterAll(async () => {
    await store?.close();
    await fixture?.cleanup();
  });
  const state = (s: Store, also?: () => Promise<unknown>) => Promise.all([s.revision(), s.countAudit(), also?.()]);
  return {
    store: late(() => store),
    dir: late(() => dir),
    someone(role = 'user', extra = {}) {
      const name = uniq(role);
      return ready(dir).users.addUser({ username: name, email: `${name}@example.com`, role, ...extra }, CLI);
    },
    async refused(run, expected, also) {
      const before = await state(ready(store), also);
      const error = await run().then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(DirectoryError);
      const { message, ...rest } = expected;
      expect(error).toMatchObject(rest);
      if (message !== undefined) expect((error as Error).message).toMatch(message);
      expect(await state(ready(store), also)).toEqual(before);
      return error as DirectoryError;
    },
    lastAudit: async () => (await ready(store).listAudit({ limit: 1 }))[0],
  };
}

function ready<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('the directory fixture is used before its beforeAll ran');
  return value;
}

/** Stands for the object `get()` answers once the hooks ran (methods keep their own `this`). */
function late<T extends object>(get: () => T | undefined): T {
  return new Proxy({} as T, {
    get(_, key) {
      const target = ready(get());
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
