import type { Application } from '../../domain/application.js';
import type { StoreReader } from '../../store/store.js';

/** An application as the API and the CLI show it (never the secret or its hash). */
export interface AppSummary {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** `cn=<name>,ou=apps,<suffix>`: the app binds as this with its secret. */
  readonly bindDn: string;
  /** `ou=<name>,ou=apps,<suffix>`: the base the app is configured with. */
  readonly baseDn: string;
  readonly access: {
    readonly everyone: boolean;
    readonly groups: readonly { readonly id: string; readonly name: string }[];
    readonly teams: readonly { readonly team: string; readonly level: string }[];
  };
  readonly allowedCidrs: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

export async function summarizeApp(reader: StoreReader, suffix: string, app: Application): Promise<AppSummary> {
  const groups: { id: string; name: string }[] = [];
  for (const id of app.access.groups) {
    const group = await reader.getGroup(id);
    groups.push({ id, name: group?.name ?? '(deleted)' });
  }
  return {
    id: app.id,
    name: app.name,
    description: app.description,
    bindDn: `cn=${app.name},ou=apps,${suffix}`,
    baseDn: `ou=${app.name},ou=apps,${suffix}`,
    access: { everyone: app.access.everyone, groups, teams: await teamsOf(reader, app) },
    allowedCidrs: [...app.allowedCidrs],
    createdAt: app.createdAt.toISOString(),
    updatedAt: app.updatedAt.toISOString(),
  };
}

async function teamsOf(reader: StoreReader, app: Application): Promise<{ team: string; level: string }[]> {
  const out: { team: string; level: string }[] = [];
  for (const rule of app.access.teams) out.push({ team: (await reader.getTeam(rule.team))?.name ?? '(deleted)', level: rule.level });
  return out;
}
