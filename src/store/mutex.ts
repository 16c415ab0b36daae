/**
 * A FIFO async mutex. PGlite has one connection, so every transaction and read is run through one
 * of these: nothing interleaves inside a transaction and a rollback can never take another
 * caller's statements with it.
 */
export class Mutex {
  #tail: Promise<void> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn);
    // The next caller waits for this one to settle, whether it resolved or threw.
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
