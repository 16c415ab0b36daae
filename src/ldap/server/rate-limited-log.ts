import type { ServerLogger } from './ldap-handler.js';

/**
 * At most one warning per reason per interval, with how many were suppressed in between, so a
 * flood of refused connections cannot flood the log (DESIGN §6: "logged at a limited rate").
 */
export class RateLimitedLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly logger: ServerLogger,
    private readonly intervalMs = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  warn(reason: string, fields: object, msg: string): void {
    const t = this.now();
    const state = this.last.get(reason);
    if (state !== undefined && t - state.at < this.intervalMs) {
      state.suppressed += 1;
      return;
    }
    const suppressed = state?.suppressed ?? 0;
    this.last.set(reason, { at: t, suppressed: 0 });
    this.logger.warn({ reason, ...fields, ...(suppressed > 0 ? { suppressed } : {}) }, msg);
  }
}
