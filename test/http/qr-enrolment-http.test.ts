import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/domain/actor.js';
import { createAuthThrottle } from '../../src/directory/auth/auth-throttle.js';
import { createDirectoryServices } from '../../src/directory/directory-services.js';
import { base32Decode, hotp, totpStep } from '../../src/crypto/totp.js';
import { createHttpService, type HttpService } from '../../src/http/http-service.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { storeModes, type StoreFixture } from '../helpers/databases.js';
import { decodeQr, pngOf, zbarimg } from '../helpers/zbar.js';

const PASSWORD = 'correct horse battery';
const ORG = 'Example Corporation International Holdings';
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
// 64-character local part and a long domain: 200 characters, within RFC 5321's 254.
const LONG_EMAIL = `${'firstname.middlename.lastname-'.repeat(2)}abcd@${'department-of-long-names.'.repeat(5)}example.com`;
const LONG_USERNAME = `${'very-long-username-'.repeat(6)}end`;

/**
 * Regression (issue 12): with `name: Example Corporation International Holdings` the otpauth URL
 * passed the old encoder's 213 bytes and POST /api/v1/profile/2fa/secret answered 500, so nobody
 * in such an organisation could turn 2FA on. Over HTTP, with long usernames and emails.
 */
describe.skipIf(zbarimg === undefined)('2FA enrolment with a long organisation name', () => {
  const mode = storeModes.find((m) => m.mode === 'pglite') ?? storeModes[0];
  let fixture: StoreFixture;
  let store: Store;
  let service: HttpService;
  const call = async (method: string, path: string, body?: unknown, token?: string, form?: string) => {
    const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(`${service.address().url}${path}`, { method, headers, ...(body === undefined ? (form === undefined ? {} : { body: form }) : { body: JSON.stringify(body) }) });
    const text = await res.text();
    return { status: res.status, text, body: res.headers.get('content-type')?.includes('json') === true ? JSON.parse(text) : undefined };
  };

  beforeAll(async () => {
    fixture = await mode!.create();
    store = await openStore(fixture.options);
    const directory = createDirectoryServices({ store, bcryptCost: 4, name: ORG });
    service = createHttpService({ listen: '127.0.0.1:0', directory, throttle: createAuthThrottle({ store, maxFailures: 50, windowMs: 60_000 }), logger: quiet });
    await service.start();
    await directory.users.addUser({ username: LONG_USERNAME, email: LONG_EMAIL, password: PASSWORD }, systemActor());
    await directory.users.addUser({ username: 'short', email: LONG_EMAIL.replace('@', '@mail-'), password: PASSWORD }, systemActor());
  });
  afterAll(async () => {
    await service?.close(1000);
    await store?.close();
    await fixture?.cleanup();
  });

  it('answers 200 with a QR code zbar reads as the otpauth URL, and the code from it enables 2FA', async () => {
    const token = (await call('POST', '/api/v1/auth/login', { identifier: LONG_EMAIL, password: PASSWORD })).body.token as string;
    const start = await call('POST', '/api/v1/profile/2fa/secret', undefined, token);
    expect(start.status).toBe(200);
    expect(Object.keys(start.body).sort()).toEqual(['otpauthUrl', 'qrCode', 'secret']);
    const { otpauthUrl, qrCode, secret } = start.body as { otpauthUrl: string; qrCode: string; secret: string };
    expect(otpauthUrl).toBe(`otpauth://totp/pgdir%20Example%20Corporation%20International%20Holdings:${LONG_USERNAME}?secret=${secret}&issuer=pgdir%20Example%20Corporation%20International%20Holdings&algorithm=SHA1&digits=6&period=30`);
    expect(otpauthUrl.length).toBeGreaterThan(213);
    expect(qrCode).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
    expect(await decodeQr(pngOf(qrCode))).toBe(otpauthUrl);
    const scanned = new URL(await decodeQr(pngOf(qrCode))).searchParams.get('secret') ?? '';
    const on = await call('POST', '/api/v1/profile/2fa/enable', { totpToken: hotp(base32Decode(scanned), totpStep(Date.now())) }, token);
    expect(on.status).toBe(200);
    expect(on.body.totpEnabled).toBe(true);
  });

  it('the enrolment page shows a QR code zbar reads, for a user signing in with a long email', async () => {
    const page = await call('POST', '/enroll-2fa', undefined, undefined, new URLSearchParams({ step: 'signin', identifier: LONG_EMAIL.replace('@', '@mail-'), password: PASSWORD }).toString());
    expect(page.status).toBe(200);
    const src = /<img src="(data:image\/png;base64,[^"]+)"/.exec(page.text)?.[1] ?? '';
    const otpauthUrl = /name="otpauthUrl" value="([^"]+)"/.exec(page.text)?.[1]?.replace(/&amp;/g, '&') ?? '';
    expect(otpauthUrl).toMatch(/^otpauth:\/\/totp\/pgdir%20Example%20Corporation%20International%20Holdings:short\?/);
    expect(await decodeQr(pngOf(src))).toBe(otpauthUrl);
  });
});
