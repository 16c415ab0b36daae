interface Waiter {
  readonly revision: number;
  readonly resolve: (reached: boolean) => void;
  readonly timer: NodeJS.Timeout;
}

/** Promises that settle once the view reaches a revision (true) or their time runs out (false). */
export class RevisionWaiters {
  private waiters: Waiter[] = [];

  wait(revision: number, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.timer !== timer);
        resolve(false);
      }, timeoutMs);
      this.waiters.push({ revision, resolve, timer });
    });
  }

  reached(revision: number): void {
    const done = this.waiters.filter((w) => w.revision <= revision);
    if (done.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.revision > revision);
    for (const w of done) {
      clearTimeout(w.timer);
      w.resolve(true);
    }
  }

  /** Settles every pending wait with false (the view is closing). */
  close(): void {
    const all = this.waiters;
    this.waiters = [];
    for (const w of all) {
      clearTimeout(w.timer);
      w.resolve(false);
    }
  }
}
