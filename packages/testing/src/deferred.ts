import { type Deferred, deferred as settleable } from '@grpc-aio/core/internal';

export type { Deferred };

/** A fresh {@link Deferred}. Its promise never counts as an unhandled rejection. */
export function deferred<T>(): Deferred<T> {
  const made = settleable<T>();
  made.promise.catch(() => {});
  return made;
}

/** `promise`, or a rejection with `message()` after `seconds` of real time. */
export function bounded<T>(promise: Promise<T>, seconds: number, message: () => string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message())), seconds * 1000);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * Values that arrive before or after they are asked for (the requests a fake's handler reads, the
 * responses a test takes): `take()` gives the oldest kept value, or waits for the next one.
 */
export class Inbox<T> {
  #values: T[] = [];
  #waiters: Deferred<T>[] = [];

  /** Hands `value` to the oldest waiting `take()`, or keeps it. */
  put(value: T): void {
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) waiter.resolve(value);
    else this.#values.push(value);
  }

  /**
   * The oldest kept value; else what `otherwise()` gives (the end of the values), or, when it gives
   * undefined, the next value to come.
   */
  take(otherwise: () => Promise<T> | undefined): Promise<T> {
    if (this.#values.length > 0) return Promise.resolve(this.#values.shift() as T);
    const instead = otherwise();
    if (instead !== undefined) return instead;
    const waiter = deferred<T>();
    this.#waiters.push(waiter);
    return waiter.promise;
  }

  /** Settles every waiting `take()` with `settle` (no value will come for them). */
  settleWaiting(settle: (waiter: Deferred<T>) => void): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) settle(waiter);
  }
}
