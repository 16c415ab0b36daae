/** Bad command-line input: printed with the command's usage hint, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose `--help` explains the right form, e.g. `users add`. */
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}
