/** One problem found in the configuration, named by its key path (e.g. `ldap.limits.idle_timeout`). */
export interface ConfigIssue {
  readonly key: string;
  readonly message: string;
}

/** Raised when the configuration cannot be loaded; the CLI prints it and exits with code 2. */
export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(
      issues.length === 1
        ? `invalid configuration: ${formatIssue(issues[0] as ConfigIssue)}`
        : `invalid configuration:\n${issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`,
    );
    this.name = 'ConfigError';
    this.issues = issues;
  }

  /** The first offending key path (`''` for problems with the file as a whole). */
  get key(): string {
    return this.issues[0]?.key ?? '';
  }
}

function formatIssue(issue: ConfigIssue): string {
  return issue.key === '' ? issue.message : `${issue.key}: ${issue.message}`;
}

export const configError = (key: string, message: string): ConfigError => new ConfigError([{ key, message }]);
