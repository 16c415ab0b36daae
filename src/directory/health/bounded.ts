/** Rejects with `TimedOut` when `work` has not settled within `timeoutMs` (the work itself goes on). */
export class TimedOut extends Error {
  constructor(what: string, readonly timeoutMs: number) {
    super(`${what} did not answer within ${timeoutMs} ms`);
    this.name = 'TimedOut';
  }
}

export function bounded<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimedOut(what, timeoutMs)), timeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
