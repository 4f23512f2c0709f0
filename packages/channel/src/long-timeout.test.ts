import { afterEach, describe, expect, it, vi } from 'vitest';
import { setLongTimeout } from './long-timeout.js';

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
