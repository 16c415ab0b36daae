import { randomBytes } from 'node:crypto';
import type { PasswordHasher } from '../../crypto/password-hasher.js';
import { normalizeEmail } from '../../domain/email.js';
import { conflict, invalid } from '../../domain/errors.js';
import type { User } from '../../domain/model.js';
import { checkPassword } from '../../domain/password-rules.js';
import { normalizeUsername } from '../../domain/username.js';
import type { Store } from '../../store/store.js';
import { isAllowedEmail } from '../sso/allowed-domains.js';
import { readRegistrationSettings } from '../sso/registration-settings.js';
import { passwordSignInDisabled } from '../sso/sso-only.js';
import { hashSecret } from './account-tokens.js';
import type { MailSettings } from './smtp-settings.js';

const DAY_MS = 24 * 3_600_000;

export interface Registration {
  /** Password sign-in on (no SAML), SMTP configured and a public URL for the link (never a request's Host). */
  available(): Promise<boolean>;
  /**
   * The mail with a link, for an unused address on an allowed domain; nothing for any other
   * (audited with the reason). The page does not wait for it: the answer and its timing are the
   * same whether or not the address exists or may register.
   */
  request(email: string, ip: string): Promise<RegistrationLink | undefined>;
  /** For the page: the address an unused, unexpired link is for. */
  info(secret: string): Promise<string | undefined>;
  /** Creates the user (role user, source self-registered) with the chosen username and password; the link is used up. */
  complete(secret: string, input: { username: unknown; password: unknown }, ip: string): Promise<User>;
}

/** What the mail to the address carries (the edge composes and sends it: http/routes/register-page.ts). */
export interface RegistrationLink {
  readonly email: string;
  readonly link: string;
  readonly expiresAt: Date;
}

const badLink = () => invalid('the registration link is invalid, expired or already used', 'token');

/** `/register` (issue 14): an email on an allowed domain → a verification link (single use, 24 h) → username and password. */
export function createRegistration(store: Store, hasher: PasswordHasher, mail: MailSettings): Registration {
  const audit = async (action: string, target: string, ip: string, details: Record<string, unknown>, result: 'ok' | 'denied' = 'ok'): Promise<undefined> => {
    await store.write((tx) => tx.appendAudit({ actor: null, action, target, ip, result, details }));
    return undefined;
  };
  const allowed = async (email: string) => isAllowedEmail(email, (await readRegistrationSettings(store)).allowedDomains);

  return {
    async available() {
      return !(await passwordSignInDisabled(store)) && (await mail.current()) !== undefined && (await mail.publicUrl()) !== undefined;
    },
    async request(input, ip) {
      let email: string;
      try {
        email = normalizeEmail(input);
      } catch {
        return audit('registration.request', input.slice(0, 320), ip, { reason: 'invalid_email' }, 'denied');
      }
      if (!(await allowed(email))) return audit('registration.request', email, ip, { reason: 'domain_not_allowed' }, 'denied');
      if ((await store.findUserByEmail(email)) !== undefined) return audit('registration.request', email, ip, { reason: 'exists' }, 'denied');
      const base = await mail.publicUrl();
      if (base === undefined) return audit('registration.request', email, ip, { reason: 'unavailable' }, 'denied');
      const secret = randomBytes(32).toString('base64url');
      const token = await store.registrations.issue(email, hashSecret(secret), new Date(Date.now() + DAY_MS));
      await audit('registration.request', email, ip, {});
      return { email, link: `${base}/register?token=${secret}`, expiresAt: token.expiresAt };
    },
    info: async (secret) => (await store.registrations.find(hashSecret(secret)))?.email,
    async complete(secret, input, ip) {
      const password = checkPassword(input.password);
      const username = normalizeUsername(input.username);
      const token = await store.registrations.find(hashSecret(secret));
      if (token === undefined) throw badLink();
      if ((await store.findUserByEmail(token.email)) !== undefined || !(await allowed(token.email))) throw badLink();
      if ((await store.findUserByUsername(username)) !== undefined) throw conflict('the username is taken', 'username');
      const passwordHash = await hasher.hash(password);
      if (!(await store.registrations.use(token.id))) throw badLink();
      return store.write(async (tx) => {
        const user = await tx.insertUser({ username, email: token.email, passwordHash, source: 'self-registered', role: 'user' });
        await tx.appendAudit({ actor: user.id, action: 'user.register', target: user.id, ip, details: { username, email: token.email } });
        return user;
      });
    },
  };
}
