import { actorLabel, type Actor } from '../../domain/actor.js';
import type { Store, StoreReader } from '../../store/store.js';
import { SettingKey } from './setting-keys.js';

/** Whether LDAP binds of enrolled users must carry their TOTP code (DESIGN §4); off unless stored. */
export async function readLdapTotpRequired(reader: StoreReader): Promise<boolean> {
  return (await reader.getSetting<{ required?: boolean }>(SettingKey.ldapTotp))?.required === true;
}

/** Stores the LDAP 2FA switch with its audit entry, in one transaction. */
export function writeLdapTotpRequired(store: Store, required: boolean, actor: Actor, ip: string): Promise<void> {
  return store.write(async (tx) => {
    await tx.setSetting(SettingKey.ldapTotp, { required });
    await tx.appendAudit({ actor: actorLabel(actor), action: 'settings.ldap_2fa', target: SettingKey.ldapTotp, ip, details: { required } });
  });
}
