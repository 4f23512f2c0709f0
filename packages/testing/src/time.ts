import type { Clock } from '@grpc-aio/core';
import { setLongTimeout } from '@grpc-aio/core/internal';
/**
 * Time for tests (Python's `grpc_testing.Time`, async): what the fakes of this package read to
 * compute deadlines and `timeRemaining()`, and schedule timeouts on. All values are seconds.
 */
export interface Time {
  /** The current time, in seconds since the epoch (fractions allowed). */
  time(): number;
  /** Runs `behavior` after `delay` seconds. */
  callIn(behavior: () => void, delay: number): ScheduledCall;
  /** Runs `behavior` at `time` (seconds since the epoch), at once if that has passed. */
  callAt(behavior: () => void, time: number): ScheduledCall;
  /** Resolves after `duration` seconds. On fake time this advances the clock instead of waiting. */
  sleepFor(duration: number): Promise<void>;
  /** Resolves at `time`. On fake time this advances the clock to `time`. */
  sleepUntil(time: number): Promise<void>;
}

/** A behaviour scheduled with `callIn`/`callAt`. */
export interface ScheduledCall {
  /** Cancels it. @returns true when it had not run yet (and now never will). */
  cancel(): boolean;
  /** True once it ran. */
  readonly done: boolean;
}

function checkSeconds(name: string, value: number): void {
  if (typeof value !== 'number' || Number.isNaN(value))
    throw new TypeError(`${name} must be a number of seconds, got ${String(value)}.`);
}

class RealTime implements Time {
  time(): number {
    return Date.now() / 1000;
  }

  callIn(behavior: () => void, delay: number): ScheduledCall {
    checkSeconds('delay', delay);
    let done = false;
    let cancelled = false;
    // Waits of any length (setTimeout alone fires at once past about 24.8 days).
    const cancelTimer = setLongTimeout(
      () => {
        done = true;
        behavior();
      },
      Math.max(0, delay * 1000),
    );
    return {
      cancel: () => {
        if (done || cancelled) return false;
        cancelled = true;
        cancelTimer();
        return true;
      },
      get done() {
        return done;
      },
    };
  }

  callAt(behavior: () => void, time: number): ScheduledCall {
    checkSeconds('time', time);
    return this.callIn(behavior, time - this.time());
  }

  sleepFor(duration: number): Promise<void> {
    checkSeconds('duration', duration);
    return new Promise((resolve) => setLongTimeout(resolve, Math.max(0, duration * 1000)));
  }

  sleepUntil(time: number): Promise<void> {
    checkSeconds('time', time);
    return this.sleepFor(time - this.time());
  }
}

interface Pending {
  at: number;
  order: number;
  behavior: () => void;
  state: 'pending' | 'done' | 'cancelled';
}

/**
 * Fake time whose clock moves only when the test calls `sleepFor`/`sleepUntil`/`advance`. It is
 * strict: every behaviour scheduled at or before a time has run before the clock reads past it, in
 * time order (ties in scheduling order). A behaviour that throws does not stop the others; the
 * first such error is rethrown by the call that advanced the clock.
 */
export class FakeTime implements Time {
  #now: number;
  #order = 0;
  #pending: Pending[] = [];

  constructor(now: number) {
    checkSeconds('now', now);
    this.#now = now;
  }

  time(): number {
    return this.#now;
  }

  callIn(behavior: () => void, delay: number): ScheduledCall {
    checkSeconds('delay', delay);
    return this.callAt(behavior, this.#now + Math.max(0, delay));
  }

  callAt(behavior: () => void, time: number): ScheduledCall {
    checkSeconds('time', time);
    const entry: Pending = { at: time, order: this.#order++, behavior, state: 'pending' };
    this.#pending.push(entry);
    // Due at once: run on the next microtask, as a zero-delay timer would (but without real time).
    if (time <= this.#now) queueMicrotask(() => this.#runDue());
    return {
      cancel: () => {
        if (entry.state !== 'pending') return false;
        entry.state = 'cancelled';
        return true;
      },
      get done() {
        return entry.state === 'done';
      },
    };
  }

  async sleepFor(duration: number): Promise<void> {
    checkSeconds('duration', duration);
    await this.advanceTo(this.#now + Math.max(0, duration));
  }

  async sleepUntil(time: number): Promise<void> {
    checkSeconds('time', time);
    await this.advanceTo(Math.max(this.#now, time));
  }

  /** Moves the clock forward by `seconds`, running what falls due. Same as `sleepFor`. */
  advance(seconds: number): Promise<void> {
    return this.sleepFor(seconds);
  }

  /**
   * Moves the clock to `time`, running every behaviour due by then in order, and letting promise
   * callbacks they trigger settle between steps.
   */
  async advanceTo(time: number): Promise<void> {
    let firstError: unknown;
    for (;;) {
      const next = this.#nextDue(time);
      if (next === undefined) break;
      this.#now = Math.max(this.#now, next.at);
      next.state = 'done';
      try {
        next.behavior();
      } catch (error) {
        firstError ??= error;
      }
      await flushMicrotasks();
    }
    this.#now = Math.max(this.#now, time);
    this.#pending = this.#pending.filter((entry) => entry.state === 'pending');
    if (firstError !== undefined) throw firstError;
  }

  /** Number of behaviours scheduled and not yet run or cancelled. */
  get pendingCount(): number {
    return this.#pending.filter((entry) => entry.state === 'pending').length;
  }

  #nextDue(limit: number): Pending | undefined {
    let best: Pending | undefined;
    for (const entry of this.#pending) {
      if (entry.state !== 'pending' || entry.at > limit) continue;
      if (best === undefined || entry.at < best.at || (entry.at === best.at && entry.order < best.order))
        best = entry;
    }
    return best;
  }

  #runDue(): void {
    void this.advanceTo(this.#now).catch(() => {
      // A behaviour due "now" that throws has nobody to report to but the next advance; keep the
      // process alive, as a throwing timer callback in a test would otherwise crash it.
    });
  }
}

async function flushMicrotasks(): Promise<void> {
  for (let index = 0; index < 10; index++) await Promise.resolve();
}

/** Real time (Python's `grpc_testing.strict_real_time()`). */
export function strictRealTime(): Time {
  return new RealTime();
}

/**
 * Fake time starting at `now` seconds since the epoch (Python's `grpc_testing.strict_fake_time(now)`).
 * The clock moves only when the test advances it.
 */
export function strictFakeTime(now: number = Date.now() / 1000): FakeTime {
  return new FakeTime(now);
}

/**
 * `time` as the clock of `@grpc-aio/core` (milliseconds, and timers on it): what the fakes give
 * the channel, its calls, its interceptors (`continuation.clock`) and the server machinery.
 */
export function clockOf(time: Time): Clock {
  return {
    now: () => time.time() * 1000,
    schedule(callback, ms) {
      if (!Number.isFinite(ms)) return () => {};
      const scheduled = time.callIn(callback, Math.max(0, ms) / 1000);
      return () => {
        scheduled.cancel();
      };
    },
  };
}
