// The one clock: channels, calls, interceptors and servers read deadlines and wait on the clock
// their transport gives (the system's, or the testing package's fake time), never on their own.

/** A time line: the time, and timers on it. */
export interface Clock {
  /** The time, in milliseconds since the epoch. */
  now(): number;
  /**
   * Runs `callback` once `ms` milliseconds have passed on this clock (an `ms` of Infinity never
   * runs it).
   * @returns a function that cancels it.
   */
  schedule(callback: () => void, ms: number): () => void;
}

// Node's setTimeout holds at most 2^31 - 1 ms (about 24.8 days): a longer delay fires at once, with
// a TimeoutOverflowWarning. The system clock takes longer waits in legs.
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * Runs `callback` once `ms` milliseconds have passed, however many that is.
 * @param ref false: the timer does not keep the process alive.
 * @returns a function that cancels it.
 */
export function setLongTimeout(callback: () => void, ms: number, ref = true): () => void {
  if (!Number.isFinite(ms)) return () => {};
  const at = Date.now() + ms;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = (): void => {
    const left = at - Date.now();
    timer = left > MAX_DELAY_MS ? setTimeout(arm, MAX_DELAY_MS) : setTimeout(callback, Math.max(0, left));
    if (!ref) (timer as { unref?: () => void }).unref?.();
  };
  arm();
  return () => clearTimeout(timer);
}

/** The system's clock: `Date.now()` and timers of any length. */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  schedule: (callback: () => void, ms: number) => setLongTimeout(callback, ms),
});

/**
 * Waits `seconds` on `clock`, or less when `signal` aborts (it then resolves, it does not reject).
 */
export function sleepOn(clock: Clock, seconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    let cancel: (() => void) | undefined;
    const done = (): void => {
      cancel?.();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    // NaN waits no time (as setTimeout does); Infinity forever.
    cancel = clock.schedule(done, Number.isNaN(seconds) ? 0 : Math.max(0, seconds * 1000));
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * The property of a channel that gives its clock: an interceptor chain reads the clock of the
 * channel it wraps (and gives it to its interceptors as `continuation.clock`). For channel and
 * interceptor implementations.
 */
export const CHANNEL_CLOCK: unique symbol = Symbol.for('grpc-aio.channelClock') as never;

/** A channel that tells its clock ({@link CHANNEL_CLOCK}). */
export interface ClockChannel {
  readonly [CHANNEL_CLOCK]?: Clock;
}
