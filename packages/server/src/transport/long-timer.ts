// setTimeout takes at most 2^31 - 1 ms (about 24.8 days); longer waits are chained.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A cancellable, unref'd timer for any delay, however long (Node's own fires at once past
 * 2^31 - 1 ms): call deadlines and the connection settings (a 30-day connection age is 30 days).
 */
export class LongTimer {
  readonly #at: number;
  readonly #callback: () => void;
  #timer: NodeJS.Timeout | undefined;

  /** Runs `callback` at `at` (ms since the epoch). */
  constructor(at: number, callback: () => void) {
    this.#at = at;
    this.#callback = callback;
    this.#arm();
  }

  /** A timer `ms` from now, or undefined for a delay that never ends (Infinity). */
  static after(ms: number, callback: () => void): LongTimer | undefined {
    return Number.isFinite(ms) ? new LongTimer(Date.now() + ms, callback) : undefined;
  }

  #arm(): void {
    const left = this.#at - Date.now();
    this.#timer =
      left <= MAX_TIMER_MS
        ? setTimeout(this.#callback, Math.max(0, left))
        : setTimeout(() => this.#arm(), MAX_TIMER_MS);
    this.#timer.unref();
  }

  cancel(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
