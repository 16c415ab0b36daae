import { createHash } from 'node:crypto';
import { actorLabel, type Actor } from '../../domain/actor.js';
import { conflict, invalid } from '../../domain/errors.js';
import type { Store, StoreReader } from '../../store/store.js';
import { SettingKey } from '../settings/setting-keys.js';
import { parseIdpMetadata, type IdpMetadata } from './saml-metadata.js';

/** SAML single sign-on as stored (`sso.saml`) and changed through `PUT /api/v1/settings/sso/saml`. */
export interface SamlSettings {
  readonly enabled: boolean;
  /** The identity provider's metadata XML, as pasted (or read from `sso.saml.metadata_file`). */
  readonly metadataXml: string | null;
  /** pgdir's SP entity ID, the audience assertions must name (issue 14: default `pgdir`). */
  readonly audience: string;
  /** The attribute listing the person's IdP groups. */
  readonly groupAttribute: string;
  /** Allowed clock difference for NotBefore / NotOnOrAfter. */
  readonly clockSkewSeconds: number;
  /** IdP-initiated sign-in (a response to no request of pgdir's); off by default. */
  readonly allowIdpInitiated: boolean;
  /** pgdir's public base URL (`https://pgdir.example.com`); absent: the address the browser used. */
  readonly baseUrl: string | null;
}

export const SAML_DEFAULTS: SamlSettings = {
  enabled: false,
  metadataXml: null,
  audience: 'pgdir',
  groupAttribute: 'group',
  clockSkewSeconds: 60,
  allowIdpInitiated: false,
  baseUrl: null,
};

/** The settings in force: stored values under the YAML's pinned metadata, and what it says. */
export interface EffectiveSaml {
  readonly settings: SamlSettings;
  /** `sso.saml.metadata(_file)` pins the metadata. */
  readonly metadataPinned: boolean;
  readonly idp: IdpMetadata | null;
}

export async function readSamlSettings(reader: StoreReader, pinnedMetadata: string | undefined): Promise<EffectiveSaml> {
  const stored = (await reader.getSetting<Partial<SamlSettings>>(SettingKey.samlSso)) ?? {};
  const settings: SamlSettings = { ...SAML_DEFAULTS, ...stored, ...(pinnedMetadata === undefined ? {} : { metadataXml: pinnedMetadata }) };
  const idp = settings.metadataXml === null ? null : parseIdpMetadata(settings.metadataXml);
  return { settings, metadataPinned: pinnedMetadata !== undefined, idp };
}

export type SamlChanges = Partial<SamlSettings>;

/**
 * Validates the changes (metadata parsed: a 400 says what is missing where), refuses a different
 * metadata while the YAML pins it (409) and enabling without metadata (400), then stores and
 * audits before/after in one transaction. The XML itself is audited as the IdP's entity ID and the
 * SHA-256 of the text, not pasted into the log.
 */
export async function writeSamlSettings(store: Store, changes: SamlChanges, pinnedMetadata: string | undefined, actor: Actor): Promise<EffectiveSaml> {
  checkChanges(changes);
  if (changes.metadataXml !== undefined && changes.metadataXml !== null) parseIdpMetadata(changes.metadataXml);
  if (pinnedMetadata !== undefined && changes.metadataXml !== undefined && changes.metadataXml !== pinnedMetadata) {
    throw conflict('metadataXml is set in the configuration file (sso.saml.metadata_file) and cannot be changed here', 'metadataXml');
  }
  return store.write(async (tx) => {
    const before = await readSamlSettings(tx, pinnedMetadata);
    const { metadataXml, ...rest } = changes;
    const next: SamlSettings = { ...before.settings, ...rest, ...(metadataXml === undefined || pinnedMetadata !== undefined ? {} : { metadataXml }) };
    if (next.enabled && next.metadataXml === null) throw invalid('metadataXml: SAML can be enabled only with the identity provider metadata', 'metadataXml');
    const changed = (Object.keys(next) as (keyof SamlSettings)[]).filter((k) => next[k] !== before.settings[k]);
    if (changed.length > 0) {
      const { metadataXml: _stored, ...storedRest } = next;
      await tx.setSetting(SettingKey.samlSso, pinnedMetadata === undefined ? next : storedRest);
      await tx.appendAudit({ actor: actorLabel(actor), action: 'settings.sso.saml', target: SettingKey.samlSso, details: { before: auditable(before.settings, changed), after: auditable(next, changed) } });
    }
    return readSamlSettings(tx, pinnedMetadata);
  });
}

function auditable(settings: SamlSettings, keys: readonly (keyof SamlSettings)[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    if (key !== 'metadataXml') out[key] = settings[key];
    else if (settings.metadataXml === null) out['metadata'] = null;
    else out['metadata'] = { idpEntityId: parseIdpMetadata(settings.metadataXml).entityId, sha256: createHash('sha256').update(settings.metadataXml).digest('hex') };
  }
  return out;
}

/** The route's zod schema has checked types; these are the rules beyond them. */
function checkChanges(changes: SamlChanges): void {
  if (changes.audience !== undefined && changes.audience.trim() === '') throw invalid('audience must not be empty', 'audience');
  if (changes.groupAttribute !== undefined && changes.groupAttribute.trim() === '') throw invalid('groupAttribute must not be empty', 'groupAttribute');
  if (changes.baseUrl !== undefined && changes.baseUrl !== null) {
    let url: URL | undefined;
    try {
      url = new URL(changes.baseUrl);
    } catch {
      url = undefined;
    }
    if (url === undefined || !/^https?:$/.test(url.protocol) || url.search !== '' || url.hash !== '') {
      throw invalid('baseUrl must be an http(s) URL like https://pgdir.example.com (no query or fragment)', 'baseUrl');
    }
  }
}
