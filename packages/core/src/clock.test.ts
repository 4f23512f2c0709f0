import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Clock, setLongTimeout, sleepOn, systemClock } from './clock.js';

const DAY = 86_400_000;

afterEach(() => {
  vi.useRealTimers();
});

describe('setLongTimeout', () => {
  it('runs a 30-day wait after 30 days, not before (setTimeout alone would fire at once)', () => {
    vi.useFakeTimers();
    const fired = vi.fn();
    setLongTimeout(fired, 30 * DAY);
    vi.advanceTimersByTime(30 * DAY - 1);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(60 * DAY);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('cancels in any leg; Infinity never runs', () => {
    vi.useFakeTimers();
    const fired = vi.fn();
    const cancel = setLongTimeout(fired, 60 * DAY);
    vi.advanceTimersByTime(40 * DAY);
    cancel();
    setLongTimeout(fired, Number.POSITIVE_INFINITY)();
    vi.advanceTimersByTime(100 * DAY);
    expect(fired).not.toHaveBeenCalled();
  });
});

describe('sleepOn', () => {
  /** A clock the test moves by hand. */
  function manualClock() {
    let now = 0;
    const timers = new Set<{ at: number; run: () => void }>();
    const clock: Clock = {
      now: () => now,
      schedule(run, ms) {
        const timer = { at: now + ms, run };
        timers.add(timer);
        return () => timers.delete(timer);
      },
    };
    const advance = (ms: number) => {
      now += ms;
      for (const timer of [...timers]) {
        if (timer.at <= now) {
          timers.delete(timer);
          timer.run();
        }
      }
    };
    return { clock, advance, pending: () => timers.size };
  }

  it('waits on the clock it is given, and stops waiting (without rejecting) when the signal aborts', async () => {
    const { clock, advance, pending } = manualClock();
    let slept = false;
    const sleeping = sleepOn(clock, 2).then(() => (slept = true));
    advance(1999);
    await Promise.resolve();
    expect(slept).toBe(false);
    advance(1);
    await sleeping;
    expect(slept).toBe(true);
    const controller = new AbortController();
    const aborted = sleepOn(clock, 60, controller.signal);
    expect(pending()).toBe(1);
    controller.abort();
    await aborted;
    expect(pending()).toBe(0);
    await sleepOn(clock, 60, controller.signal); // already aborted: at once
  });

  it('the system clock is Date.now and long timers', () => {
    vi.useFakeTimers();
    expect(systemClock.now()).toBe(Date.now());
    const fired = vi.fn();
    systemClock.schedule(fired, 30 * DAY);
    vi.advanceTimersByTime(30 * DAY);
    expect(fired).toHaveBeenCalledTimes(1);
  });
});

describe('sleepOn with a delay that is not a number of seconds', () => {
  it('NaN waits no time (as setTimeout does), a negative delay none either', async () => {
    vi.useFakeTimers();
    const order: string[] = [];
    const nan = sleepOn(systemClock, Number.NaN).then(() => order.push('nan'));
    const negative = sleepOn(systemClock, -5).then(() => order.push('negative'));
    await vi.advanceTimersByTimeAsync(1);
    await Promise.all([nan, negative]);
    expect(order).toEqual(['nan', 'negative']);
  });
});
