import type { ExternalPasswordVerifier } from '../directory/auth/pass-through-credential.js';
import type { SyncReport } from '../directory/mirror/sync-report.js';
import type { User } from '../domain/model.js';
import type { ProgressListener } from '../domain/progress.js';

/**
 * What the other edges (the HTTP API, the console, sign-in) use of the daemon's external directory
 * connector. Declared here, among the daemon's contracts, so that they never import connector/:
 * connector/connector.ts implements it and app/ hands the one connector of the process in.
 */
export interface ConnectorPort {
  /** For createBindService({ external }) and the API login: checks mirrored users' passwords. */
  readonly verifier: ExternalPasswordVerifier;
  /** Auto-create on login; `{ refused }` for every "no" (unknown, bad password, domain, off). */
  autoCreate(login: string, password: string): Promise<AutoCreateOutcome>;
  sync(options?: SyncOptions): Promise<{ readonly report: SyncReport }>;
  testConnection(): Promise<ConnectionTestResult>;
  status(): Promise<SyncStatus>;
  /** The effective configuration as shown (secrets masked), or undefined when none. */
  configuration(): Promise<ConnectorConfigView | undefined>;
  /** Stores a new configuration (API/CLI); 409 when pinned in YAML, 400 naming the bad key. */
  configure(raw: Readonly<Record<string, unknown>>, actor: string): Promise<unknown>;
}

export type AutoCreateOutcome =
  | { readonly created: User }
  | { readonly refused: string };

export interface SyncOptions {
  readonly dryRun?: boolean;
  /** What started it: cli, api, interval, login... (recorded in the report). */
  readonly trigger?: string;
  /** Who, for the audit log. */
  readonly actor?: string;
  /** Steps per transaction (default 500). */
  readonly batchSize?: number;
  /** `reading` the source, then `users`, `groups`, `members` (planned writes done of total). */
  readonly onProgress?: ProgressListener | undefined;
}

export interface ConnectorConfigView {
  /** true when it comes from the YAML file and cannot be changed through the API. */
  readonly pinned: boolean;
  /** The mapping as written, with the bind password masked (for display). */
  readonly settings: Readonly<Record<string, unknown>>;
}

export interface SyncStatus {
  readonly configured: boolean;
  readonly pinned: boolean;
  readonly provider: string | undefined;
  readonly url: string | undefined;
  readonly intervalMs: number;
  /** A sync started by this process is in progress. */
  readonly running: boolean;
  readonly lastReport: SyncReport | undefined;
  /** Configuration problem, when the stored or pinned configuration is invalid. */
  readonly error?: string;
}

/** "Test connection": the bind, what the filters count, and the first users as pgdir would mirror them. */
export interface ConnectionTestResult {
  readonly ok: boolean;
  readonly url: string;
  readonly boundAs: string;
  readonly users: number;
  /** undefined when group sync is off. */
  readonly groups: number | undefined;
  readonly sample: readonly SampleUser[];
  readonly durationMs: number;
  readonly error?: string;
}

export interface SampleUser {
  readonly dn: string;
  readonly id: string;
  readonly username: string | undefined;
  readonly email: string | undefined;
  readonly displayName: string;
  /** Why this user would be skipped, when it would. */
  readonly problem?: string;
}
