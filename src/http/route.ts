import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import type { Actor } from '../domain/actor.js';
import type { User } from '../domain/model.js';
import type { ApiToken } from '../store/api-token-store.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Who sent an authenticated request: the user as stored now, and the token they used. */
export interface Caller {
  readonly user: User;
  readonly actor: Actor;
  readonly token: ApiToken;
  /** Set when the browser's session cookie authenticated the request: the CSRF token it must send. */
  readonly csrf?: string;
}

export interface RequestContext<B = unknown, Q = unknown> {
  readonly req: IncomingMessage;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Q;
  readonly body: B;
  /** The client's address (IPv4-mapped IPv6 shown as IPv4). */
  readonly ip: string;
  /** The authenticated caller; reading it on a public route throws 401. */
  readonly caller: Caller;
}

export interface Reply {
  readonly status?: number;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** Sent as is, with `contentType`. */
  readonly text?: string;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A body taken as text (CSV import) instead of parsed JSON. */
export interface RawBody {
  readonly contentType: string;
  readonly text: string;
}

export interface Route<B = unknown, Q = unknown> {
  readonly method: Method;
  /** `/api/v1/users/:id`; `:name` segments become params. */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  /** `user`: a valid session or API token is required (roles are checked by the use cases). */
  readonly auth: 'none' | 'user';
  /** A console page (src/http/console/): errors answer as HTML or a redirect to sign-in, not JSON. */
  readonly page?: boolean;
  /** JSON request body; validated before the handler runs (400 with the field). */
  readonly body?: z.ZodType<B>;
  /** Accepted media types for a text body (the handler parses it). */
  readonly raw?: { readonly types: readonly string[]; readonly maxBytes?: number; readonly openapi?: Record<string, unknown> };
  /** Query string parameters (an object schema of strings). */
  readonly query?: z.ZodType<Q>;
  /** Documented success response (JSON). */
  readonly response?: z.ZodType;
  /** Media types of a success reply sent as text (`Reply.text`): pages, CSV, metrics (for OpenAPI). */
  readonly textResponse?: { readonly types: readonly string[]; readonly openapi?: Record<string, unknown> };
  /** Documented success status (default 200). */
  readonly status?: number;
  /** Error statuses this route answers besides 400/401/403, with what they mean (for OpenAPI). */
  readonly errors?: Readonly<Record<number, string>>;
  readonly handle: (ctx: RequestContext<B, Q>) => Promise<Reply>;
}

export type AnyRoute = Route<any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Keeps the body/query types of one route while building a heterogeneous list. */
export const defineRoute = <B = undefined, Q = undefined>(route: Route<B, Q>): AnyRoute => route;
