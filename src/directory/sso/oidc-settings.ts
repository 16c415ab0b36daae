import type { OidcConfig } from '../../config/schema.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import { actorLabel, type Actor } from '../../domain/actor.js';
import { conflict } from '../../domain/errors.js';
import { assertMayByLevel } from '../teams/level-check.js';
import type { Store } from '../../store/store.js';
import { OIDC_SETTING, validOidcInput, type OidcInput, type OidcPreset } from './oidc-input.js';

export type { OidcInput, OidcPreset } from './oidc-input.js';

/** What GET /api/v1/settings/sso/oidc shows: never the client secret. */
export interface OidcSettingsView {
  readonly enabled: boolean;
  readonly preset: OidcPreset;
  readonly issuer: string;
  readonly clientId: string;
  readonly hasClientSecret: boolean;
  readonly buttonLabel: string;
  readonly groupsClaim: string;
  readonly scopes: string;
  /** Set in the YAML (`sso.oidc`): changes through the API are refused. */
  readonly pinned: boolean;
}

/** The settings a sign-in uses, with the secret opened. */
export interface ActiveOidc {
  readonly preset: OidcPreset;
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly buttonLabel: string;
  readonly groupsClaim: string;
  readonly scopes: string;
}

interface Stored extends Omit<OidcSettingsView, 'hasClientSecret' | 'pinned'> {
  /** Sealed with the data directory's key, like the SMTP password. */
  readonly clientSecret: string | null;
}

export interface OidcSettings {
  read(actor: Actor): Promise<OidcSettingsView | undefined>;
  write(input: OidcInput, actor: Actor, ip: string): Promise<OidcSettingsView>;
  /** The settings to sign in with now, or undefined when OIDC is off or not configured. */
  active(): Promise<ActiveOidc | undefined>;
  /** `ldap.builtin_groups`: names an SSO group may not take. */
  readonly builtinGroupNames: readonly string[];
}

const view = (s: Stored, pinned: boolean): OidcSettingsView => {
  const { clientSecret, ...rest } = s;
  return { ...rest, hasClientSecret: clientSecret !== null, pinned };
};

function fromYaml(yaml: OidcConfig): ActiveOidc & { enabled: boolean } {
  const valid = validOidcInput(
    { enabled: yaml.enabled, preset: yaml.preset, issuer: yaml.issuer, clientId: yaml.client_id, clientSecret: yaml.client_secret, buttonLabel: yaml.button_label, groupsClaim: yaml.groups_claim, scopes: yaml.scopes },
    true,
  );
  return { ...valid, clientSecret: yaml.client_secret };
}

/**
 * OpenID Connect sign-in settings (issue 14): stored under one setting key with the client secret
 * sealed, or pinned by the YAML (`sso.oidc`, secret from `client_secret_file`). Admins and
 * organisation admins read and change them (sso.read / sso.write); every change is audited without the secret.
 */
export function createOidcSettings(store: Store, box: SecretBox, yaml: OidcConfig | undefined, builtinGroupNames: readonly string[] = []): OidcSettings {
  const pinned = yaml === undefined ? undefined : fromYaml(yaml);
  const stored = () => store.getSetting<Stored>(OIDC_SETTING);
  return {
    builtinGroupNames,
    async read(actor) {
      await assertMayByLevel(store, actor, 'sso.read');
      if (pinned !== undefined) return view({ ...pinned, clientSecret: 'pinned' }, true);
      const s = await stored();
      return s && view(s, false);
    },
    async write(input, actor, ip) {
      await assertMayByLevel(store, actor, 'sso.write');
      if (pinned !== undefined) throw conflict('OpenID Connect is set in the configuration file (sso.oidc); change it there', 'sso');
      const before = await stored();
      const valid = validOidcInput(input, before?.clientSecret != null);
      const clientSecret = input.clientSecret === undefined ? (before?.clientSecret ?? null) : await box.seal(input.clientSecret);
      const next: Stored = { ...valid, clientSecret };
      await store.write(async (tx) => {
        await tx.setSetting(OIDC_SETTING, next);
        await tx.appendAudit({ actor: actorLabel(actor), action: 'settings.sso_oidc', target: OIDC_SETTING, ip, details: { before: before && view(before, false), after: view(next, false) } });
      });
      return view(next, false);
    },
    async active() {
      if (pinned !== undefined) return pinned.enabled ? pinned : undefined;
      const s = await stored();
      if (s === undefined || !s.enabled || s.clientSecret === null) return undefined;
      const { enabled: _enabled, clientSecret, ...rest } = s;
      return { ...rest, clientSecret: await box.open(clientSecret) };
    },
  };
}
