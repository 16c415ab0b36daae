import { actorLabel, type Actor } from '../../domain/actor.js';
import type { Store, StoreReader } from '../../store/store.js';
import { SettingKey } from '../settings/setting-keys.js';
import { parseAllowedDomains } from './allowed-domains.js';

/**
 * Self-registration (issue 14, "Allowed Domains"): a first SSO sign-in with an email on one of
 * these domains creates the user. Empty (the default): nobody registers themselves.
 */
export interface RegistrationSettings {
  /** A-label form, lower case (allowed-domains.ts). */
  readonly allowedDomains: readonly string[];
}

const DEFAULTS: RegistrationSettings = { allowedDomains: [] };

export async function readRegistrationSettings(reader: StoreReader): Promise<RegistrationSettings> {
  const stored = await reader.getSetting<Partial<RegistrationSettings>>(SettingKey.registration);
  return { ...DEFAULTS, ...stored };
}

/**
 * `PUT /api/v1/settings/registration`: validates every domain first (a 400 names the one at fault),
 * then stores and audits before/after in one transaction. Unchecked: callers come through
 * access/actor-services.ts, which asks may() first.
 */
export async function writeRegistrationSettings(store: Store, changes: { allowedDomains?: unknown }, actor: Actor): Promise<RegistrationSettings> {
  const allowedDomains = changes.allowedDomains === undefined ? undefined : parseAllowedDomains(changes.allowedDomains);
  return store.write(async (tx) => {
    const before = await readRegistrationSettings(tx);
    if (allowedDomains === undefined) return before;
    const after: RegistrationSettings = { ...before, allowedDomains };
    if (before.allowedDomains.join('\n') !== allowedDomains.join('\n')) {
      await tx.setSetting(SettingKey.registration, after);
      await tx.appendAudit({
        actor: actorLabel(actor),
        action: 'settings.registration',
        target: SettingKey.registration,
        details: { before: { allowedDomains: before.allowedDomains }, after: { allowedDomains } },
      });
    }
    return after;
  });
}
