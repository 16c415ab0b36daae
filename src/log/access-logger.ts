/** `log.access`: off, binds (sign-ins only) or all operations; shared by the LDAP and HTTP halves. */
export type AccessLogMode = 'off' | 'binds' | 'all';

/** Where access lines go (a pino child logger with component "access"). */
export interface AccessLogger {
  info(obj: object, msg: string): void;
}
