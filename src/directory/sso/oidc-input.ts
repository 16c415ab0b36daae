import { invalid } from '../../domain/errors.js';
import { SettingKey } from '../settings/setting-keys.js';

/** Setting key of the OpenID Connect sign-in (`PUT /api/v1/settings/sso/oidc`). */
export const OIDC_SETTING = SettingKey.oidcSso;

export type OidcPreset = 'google' | 'generic';

/** What an admin sends; `clientSecret` absent keeps the stored one. */
export interface OidcInput {
  readonly enabled: boolean;
  readonly preset?: OidcPreset | undefined;
  readonly issuer?: string | undefined;
  readonly clientId: string;
  readonly clientSecret?: string | undefined;
  readonly buttonLabel?: string | null | undefined;
  readonly groupsClaim?: string | null | undefined;
  readonly scopes?: string | null | undefined;
}

export interface ValidOidc {
  readonly enabled: boolean;
  readonly preset: OidcPreset;
  readonly issuer: string;
  readonly clientId: string;
  readonly buttonLabel: string;
  readonly groupsClaim: string;
  readonly scopes: string;
}

export const GOOGLE_ISSUER = 'https://accounts.google.com';

/** The presets: Google's issuer and button; any other provider by its issuer URL. */
const PRESETS: Record<OidcPreset, { issuer?: string; buttonLabel: string }> = {
  google: { issuer: GOOGLE_ISSUER, buttonLabel: 'Sign in with Google' },
  generic: { buttonLabel: 'Sign in with single sign-on' },
};

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

/**
 * The issuer URL: https, or http on a loopback host (a provider on the same machine, as in tests;
 * RFC 8252 §8.3 reasoning). No query or fragment (OpenID Connect Discovery 1.0 §2).
 */
function issuerUrl(input: string | undefined, preset: OidcPreset): string {
  const issuer = (input ?? PRESETS[preset].issuer ?? '').trim();
  if (issuer === '') throw invalid('issuer is required: the identity provider\'s issuer URL (e.g. https://login.example.com/realms/staff)', 'issuer');
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw invalid(`issuer "${issuer.slice(0, 200)}" is not a URL`, 'issuer');
  }
  const insecureOk = url.protocol === 'http:' && LOOPBACK.has(url.hostname);
  if (url.protocol !== 'https:' && !insecureOk) throw invalid('issuer must be an https:// URL (http only for a provider on this machine)', 'issuer');
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') throw invalid('issuer must not carry a query, fragment or credentials', 'issuer');
  if (preset === 'google' && issuer !== GOOGLE_ISSUER) throw invalid(`the google preset's issuer is ${GOOGLE_ISSUER}`, 'issuer');
  return issuer;
}

function text(value: string | null | undefined, field: string, max: number, fallback: string, pattern?: RegExp): string {
  const trimmed = (value ?? '').trim();
  if (trimmed === '') return fallback;
  if (trimmed.length > max || CONTROL.test(trimmed)) throw invalid(`${field} must be at most ${max} printable characters`, field);
  if (pattern !== undefined && !pattern.test(trimmed)) throw invalid(`${field} "${trimmed}" is not valid`, field);
  return trimmed;
}

/** Checks an admin's (or the YAML's) OIDC settings; `hasSecret`: a secret is already stored. */
export function validOidcInput(input: OidcInput, hasSecret: boolean): ValidOidc {
  const preset = input.preset ?? (input.issuer?.trim() === GOOGLE_ISSUER ? 'google' : 'generic');
  const clientId = text(input.clientId, 'clientId', 500, '');
  if (clientId === '') throw invalid('clientId is required (from the identity provider\'s client registration)', 'clientId');
  if (input.clientSecret !== undefined && (input.clientSecret === '' || input.clientSecret.length > 2000)) throw invalid('clientSecret must be 1–2000 characters', 'clientSecret');
  if (input.clientSecret === undefined && !hasSecret) throw invalid('clientSecret is required the first time', 'clientSecret');
  const scopes = text(input.scopes, 'scopes', 500, 'openid email profile', /^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/);
  if (!scopes.split(' ').includes('openid') || !scopes.split(' ').includes('email')) throw invalid('scopes must include openid and email', 'scopes');
  return {
    enabled: input.enabled,
    preset,
    issuer: issuerUrl(input.issuer, preset),
    clientId,
    buttonLabel: text(input.buttonLabel, 'buttonLabel', 100, PRESETS[preset].buttonLabel),
    groupsClaim: text(input.groupsClaim, 'groupsClaim', 100, 'groups', /^[A-Za-z0-9_.:/-]+$/),
    scopes,
  };
}
