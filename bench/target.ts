/** A directory server under benchmark, loaded with the same dataset as every other target. */
export interface Target {
  readonly name: string;
  /** `ldaps://127.0.0.1:<port>` */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** PEM of the CA that signed the server certificate. */
  readonly ca: string;
  readonly baseDn: string;
  readonly adminDn: string;
  readonly adminPassword: string;
  /** The entry DN of dataset user `index` (0-based). */
  userDn(index: number): string;
  /** The password of the users that have a bcrypt hash (dataset.bcryptUsers). */
  readonly userPassword: string;
  /** Milliseconds from starting the server process until it answered a search correctly. */
  readonly startupMs: number;
  /** Other set-up figures worth printing (e.g. how long loading the store took). */
  readonly facts: ReadonlyArray<readonly [string, string]>;
  /** Resident set size of the server process in bytes, when it is a separate process. */
  rss(): number | undefined;
  /** The server's process id (for its CPU time), when it is a separate process. */
  pid?(): number | undefined;
  stop(): Promise<void>;
}
