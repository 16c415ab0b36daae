/** A minimal browser stand-in for the console's HTTP tests: one cookie jar, forms, no redirects followed. */
export interface PageResult {
  readonly status: number;
  readonly text: string;
  readonly headers: Headers;
  readonly location: string | null;
}

export class ConsoleClient {
  cookie: string | undefined;

  constructor(readonly base: string) {}

  async get(path: string): Promise<PageResult> {
    return this.send(path, { method: 'GET' });
  }

  /** Posts a form as a same-origin browser would (Origin header), plus `extra` headers. */
  async post(path: string, fields: Record<string, string | string[]>, extra: Record<string, string> = {}): Promise<PageResult> {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) body.append(name, v);
    return this.send(path, { method: 'POST', body: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', origin: this.base, ...extra } });
  }

  async send(path: string, init: { method: string; body?: string; headers?: Record<string, string> }): Promise<PageResult> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.cookie !== undefined) headers['cookie'] = this.cookie;
    const res = await fetch(`${this.base}${path}`, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(';')[0] ?? '';
      this.cookie = pair.endsWith('=') ? undefined : pair;
    }
    return { status: res.status, text: await res.text(), headers: res.headers, location: res.headers.get('location') };
  }

  /** The CSRF token of the page's forms. */
  static csrfOf(html: string): string {
    const match = /name="_csrf" value="([^"]+)"/.exec(html);
    if (match?.[1] === undefined) throw new Error('no CSRF field on the page');
    return match[1];
  }

  /** Signs in through the form; returns the redirect's target. */
  async signIn(identifier: string, password: string): Promise<PageResult> {
    return this.post('/', { step: 'password', next: '/', identifier, password });
  }
}
