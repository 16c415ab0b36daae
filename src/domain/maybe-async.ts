/**
 * A value now, or a promise of it later. Hot paths whose steps usually answer at once (an admin
 * bind: the view, the throttle's in-memory verdict, a SHA-256) pass values through `andThen`
 * synchronously and only become asynchronous at the first step that really waits, instead of
 * paying a promise and a microtask for every `async` step.
 */
export type MaybeAsync<T> = T | Promise<T>;

/** `next(value)` now when `value` is not a promise, else once it resolves (a rejection passes through). */
export function andThen<T, U>(value: MaybeAsync<T>, next: (value: T) => MaybeAsync<U>): MaybeAsync<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}
