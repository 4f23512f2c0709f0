// Waiting in tests: on a promise settled by hand, on a condition, on a signal; and draining iterables.
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';

/** A promise with its resolve function, for waiting on events. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

/**
 * Waits until `predicate()` holds: checked on each macrotask turn at first (what a fake settles
 * within), then every 10 ms (what a socket settles within); throws after `ms`.
 */
export async function until(predicate: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  for (let turn = 0; !predicate(); turn++) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await (turn < 100 ? nextTurn() : sleep(10));
  }
}

/** Resolves when `signal` aborts. */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** The items of a sync or async iterable. */
export async function collect<T>(items: AsyncIterable<T> | Iterable<T>): Promise<T[]> {
  const result: T[] = [];
  for await (const item of items) result.push(item);
  return result;
}
