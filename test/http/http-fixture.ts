import { systemActor } from '../../src/domain/actor.js';
import { createAuthThrottle } from '../../src/directory/auth/auth-throttle.js';
import { createDirectoryServices, type DirectoryServices } from '../../src/directory/directory-services.js';
import type { User } from '../../src/domain/model.js';
import { issueSession } from '../../src/http/auth/login.js';
import { createHttpService, type HttpService, type HttpServiceDeps } from '../../src/http/http-service.js';
import { mailerForStoredServer } from '../../src/mail/smtp-mailer.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import type { StoreFixture, StoreMode } from '../helpers/databases.js';

/** The admin API on port 0 over a real store (PostgreSQL or PGlite), called with fetch. */

export interface CallResult {
  readonly status: number;
  readonly body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly text: string;
  readonly headers: Headers;
}

export interface CallOptions {
  readonly token?: string | undefined;
  readonly body?: unknown;
  /** Sent as is (with `contentType`), instead of JSON. */
  readonly raw?: string;
  readonly contentType?: string;
  readonly headers?: Record<string, string>;
}

export interface Api {
  readonly store: Store;
  /** PostgreSQL: the test database's URL (a second store may open it, as another replica would). */
  readonly databaseUrl: string | undefined;
  readonly directory: DirectoryServices;
  readonly service: HttpService;
  readonly base: string;
  readonly owner: User;
  readonly ownerToken: string;
  call(method: string, path: string, options?: CallOptions): Promise<CallResult>;
  login(identifier: string, password: string): Promise<string>;
  /** A user made directly through the use cases, signed in; returns the user and a session token. */
  userWithToken(username: string, role: User['role']): Promise<{ user: User; token: string }>;
  close(): Promise<void>;
}

export const PASSWORD = 'correct horse battery';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

export async function startApi(mode: StoreMode, extra: Partial<HttpServiceDeps> = {}): Promise<Api> {
  const fixture: StoreFixture = await mode.create();
  const store = await openStore({ ...fixture.options });
  const directory = createDirectoryServices({ store, bcryptCost: 4, mailerFor: mailerForStoredServer });
  const throttle = createAuthThrottle({ store, maxFailures: 5, windowMs: 60_000 });
  const service = createHttpService({ listen: '127.0.0.1:0', directory, throttle, logger: quiet, version: 'test', ...extra });
  await service.start();
  const base = service.address().url;

  const call = async (method: string, path: string, options: CallOptions = {}): Promise<CallResult> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.raw !== undefined) {
      body = options.raw;
      headers['content-type'] = options.contentType ?? 'text/plain';
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = options.contentType ?? 'application/json';
    }
    const res = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed, text, headers: res.headers };
  };
  const login = async (identifier: string, password: string): Promise<string> => {
    const res = await call('POST', '/api/v1/auth/login', { body: { identifier, password } });
    if (res.status !== 200) throw new Error(`login ${identifier} failed: ${res.status} ${res.text}`);
    return res.body.token as string;
  };
  const owner = await directory.users.addUser({ username: 'owner', email: 'owner@example.com', password: PASSWORD, role: 'owner' }, systemActor());
  // fetch cannot trust a test CA: with TLS the owner's session is issued directly.
  const ownerToken = extra.tls === undefined ? await login('owner', PASSWORD) : (await issueSession(store, owner, 3_600_000)).token;
  return {
    store,
    databaseUrl: fixture.url,
    directory,
    service,
    base,
    owner,
    ownerToken,
    call,
    login,
    async userWithToken(username, role) {
      const user = await directory.users.addUser({ username, email: `${username}@example.com`, password: PASSWORD, role }, systemActor());
      return { user, token: await login(username, PASSWORD) };
    },
    async close() {
      await service.close(1000);
      await store.close();
      await fixture.cleanup();
    },
  };
}
