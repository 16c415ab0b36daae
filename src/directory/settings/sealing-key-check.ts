import type { SecretBox } from '../../crypto/secret-box.js';
import type { Store } from '../../store/store.js';
import { SettingKey } from './setting-keys.js';

/**
 * Whether a sealing key (`totp.key`) is the one this directory's secrets are sealed with. Every
 * pgdir on one database must share it: a replica with another key starts fine and only fails
 * later, when it opens a TOTP secret, the SMTP password or the OpenID Connect client secret.
 *
 * - `recorded`: the directory's check value (sealed on the first start) opens with this key;
 * - `unrecorded`: no check value yet, and no sealed secret refuses this key (a new directory, or
 *   one made before the check existed);
 * - `wrong`: the check value, or a secret sealed before it existed, does not open; `sealed` says
 *   which. Also the answer when the directory holds sealed values and there is no key at all.
 */
export type SealingKeyVerdict =
  | { readonly state: 'recorded' | 'unrecorded' }
  | { readonly state: 'wrong'; readonly sealed: string };

const CHECK_TEXT = 'pgdir sealing key check';

interface Probe {
  readonly what: string;
  readonly sealed: string;
}

/** A value sealed before the check value existed (a directory from an earlier pgdir). */
async function sealedSecret(store: Store): Promise<Probe | undefined> {
  const smtp = await store.getSetting<{ password?: unknown }>(SettingKey.smtp);
  if (typeof smtp?.password === 'string') return { what: 'the SMTP password', sealed: smtp.password };
  const oidc = await store.getSetting<{ clientSecret?: unknown }>(SettingKey.oidcSso);
  if (typeof oidc?.clientSecret === 'string') return { what: 'the OpenID Connect client secret', sealed: oidc.clientSecret };
  const totp = await store.lifecycle.anyTotpSecret();
  return totp === undefined ? undefined : { what: 'the users’ 2FA (TOTP) secrets', sealed: totp };
}

/** AES-GCM authenticates: a value sealed with another key fails to open instead of opening to garbage. */
const opens = (box: SecretBox, sealed: string): Promise<boolean> => box.open(sealed).then(() => true, () => false);

/** Reads only; `box` undefined: there is no key (the file is missing). */
export async function checkSealingKey(store: Store, box: SecretBox | undefined): Promise<SealingKeyVerdict> {
  const check = await store.getSetting<unknown>(SettingKey.sealingKeyCheck);
  const probe: Probe | undefined = typeof check === 'string' ? { what: 'its key check value', sealed: check } : await sealedSecret(store);
  if (probe === undefined) return { state: 'unrecorded' };
  if (box === undefined || !(await opens(box, probe.sealed))) return { state: 'wrong', sealed: probe.what };
  return { state: typeof check === 'string' ? 'recorded' : 'unrecorded' };
}

/**
 * Stores the check value sealed with `box`, unless one is there already (one transaction). Not
 * audited: it is no setting anybody chose, and it holds no secret. Two daemons starting at the
 * same moment on an empty database may both write; the caller checks again after the commit.
 */
export async function recordSealingKey(store: Store, box: SecretBox): Promise<void> {
  const sealed = await box.seal(CHECK_TEXT);
  await store.write(async (tx) => {
    if ((await tx.getSetting(SettingKey.sealingKeyCheck)) === undefined) await tx.setSetting(SettingKey.sealingKeyCheck, sealed);
  });
}
