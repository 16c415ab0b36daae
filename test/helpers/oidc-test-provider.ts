import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/**
 * A real OpenID provider (panva's oidc-provider, the certified implementation) on a loopback port,
 * standing in for Google in the OIDC tests. Whoever reaches its interaction page is signed in as
 * `person` at once (no forms): the tests set the claims the provider will vouch for.
 */
export interface TestPerson {
  sub: string;
  email?: string;
  email_verified?: boolean | string;
  name?: string;
  hd?: string;
  groups?: string[];
}

export interface TestProvider {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  person: TestPerson;
  close(): Promise<void>;
}

export async function startTestProvider(redirectUri: string): Promise<TestProvider> {
  let provider: Provider | undefined;
  const handle: TestProvider = { issuer: '', clientId: 'pgdir-test', clientSecret: 'pgdir-test-client-secret-0123456789', person: { sub: 'nobody' }, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    if (provider === undefined) return void res.writeHead(503).end();
    if (req.url?.startsWith('/interaction/') === true) {
      void (async () => {
        await provider!.interactionDetails(req, res);
        await provider!.interactionFinished(req, res, { login: { accountId: handle.person.sub } }, { mergeWithLastSubmission: false });
      })().catch((error: unknown) => res.writeHead(500).end(String(error)));
      return;
    }
    void provider.callback()(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider = new Provider(issuer, {
    clients: [{ client_id: handle.clientId, client_secret: handle.clientSecret, redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_post' }],
    findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ ...handle.person, sub: id }) }),
    claims: { openid: ['sub', 'hd', 'groups'], email: ['email', 'email_verified'], profile: ['name'] },
    conformIdTokenClaims: false,
    cookies: { keys: ['oidc-test-provider-cookie-key'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    // Consent is given at once: every scope pgdir asks for is granted.
    loadExistingGrant: async (ctx) => {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  provider.on('server_error', () => undefined);
  return Object.assign(handle, {
    issuer,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

/** Per-host cookies, enough to follow a sign-in through provider and pgdir with fetch. */
export type CookieJar = Map<string, Map<string, string>>;

export interface Hop {
  readonly status: number;
  readonly url: string;
  readonly text: string;
  readonly location: string | undefined;
}

/** One request with the jar's cookies for its host; stores the answer's cookies. */
export async function hop(jar: CookieJar, url: string): Promise<Hop> {
  const host = new URL(url).host;
  const cookies = jar.get(host) ?? new Map<string, string>();
  const cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await fetch(url, { redirect: 'manual', headers: cookie === '' ? {} : { cookie } });
  for (const line of res.headers.getSetCookie()) {
    const [pair = '', ...attrs] = line.split(';');
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || attrs.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a));
    if (expired) cookies.delete(name);
    else cookies.set(name, pair.slice(eq + 1).trim());
  }
  jar.set(host, cookies);
  const location = res.headers.get('location') ?? undefined;
  return { status: res.status, url, text: await res.text(), location: location === undefined ? undefined : new URL(location, url).href };
}

/** Follows redirects until `stop` says so (or a non-redirect answer); returns the last hop. */
export async function follow(jar: CookieJar, url: string, stop: (next: string) => boolean = () => false): Promise<Hop> {
  let current = await hop(jar, url);
  for (let i = 0; i < 20 && current.location !== undefined && !stop(current.location); i += 1) current = await hop(jar, current.location);
  return current;
}
