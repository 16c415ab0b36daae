import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DirectoryServices } from '../src/directory/directory-services.js';
import { writeRegistrationSettings } from '../src/directory/sso/registration-settings.js';
import { writeSamlSettings } from '../src/directory/sso/saml-settings.js';
import { systemActor } from '../src/domain/actor.js';
import { ensureSelfSignedCert } from '../src/tls/self-signed-cert.js';

/**
 * The applications, single sign-on and allowed domains pages for `npm run bench:console`
 * (bench/console.ts registers them in one line): three applications (three groups; everyone;
 * nobody but admins), SAML metadata with a certificate (not enabled, so the bench still signs in
 * with a password) and a few allowed domains. Returns the paths to fetch.
 */
export async function consoleAppPages(directory: DirectoryServices): Promise<string[]> {
  const actor = systemActor('bench');
  const apps = directory.apps.as(actor);
  const groups = (await directory.groups.listGroupSummaries()).slice(0, 3).map((g) => g.name);
  const byGroups = await apps.create({ name: 'bench-groups', description: 'three groups', access: { groups } });
  const everyone = await apps.create({ name: 'bench-everyone', access: { everyone: true }, allowedCidrs: ['10.0.0.0/8'] });
  await apps.create({ name: 'bench-nobody', access: { groups: [] } });
  const dir = await mkdtemp(join(tmpdir(), 'pgdir-bench-cert-'));
  try {
    const pem = await readFile((await ensureSelfSignedCert(dir)).certFile, 'utf8');
    const cert = pem.replace(/-----[^-]+-----|\s/g, '');
    const metadataXml = `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.bench.example"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.bench.example/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>`;
    await writeSamlSettings(directory.store, { metadataXml }, undefined, actor);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  await writeRegistrationSettings(directory.store, { allowedDomains: ['example.com', 'bench.example', 'bücher.example'] }, actor);
  return ['/apps', '/apps/new', `/apps/${byGroups.app.id}`, `/apps/${everyone.app.id}`, `/apps/${everyone.app.id}?page=100`, '/settings/sso', '/settings/allowed-domains'];
}
