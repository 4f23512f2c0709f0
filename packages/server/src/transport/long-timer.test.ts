import { afterEach, describe, expect, it, vi } from 'vitest';
import { LongTimer } from './long-timer.js';

const DAY = 86_400_000;

describe('LongTimer', () => {
  afterEach(() => vi.useRealTimers());

  it('fires a 30-day timer after 30 days, not at once (setTimeout alone wraps past 2^31 - 1 ms)', () => {
    vi.useFakeTimers();
    const fired = vi.fn();
    LongTimer.after(30 * DAY, fired);
    vi.advanceTimersByTime(30 * DAY - 1);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('cancel() stops a long timer after its first leg too; Infinity makes no timer', () => {
    vi.useFakeTimers();
    const fired = vi.fn();
    const timer = LongTimer.after(40 * DAY, fired);
    vi.advanceTimersByTime(30 * DAY);
    timer?.cancel();
    vi.advanceTimersByTime(20 * DAY);
    expect(fired).not.toHaveBeenCalled();
    expect(LongTimer.after(Number.POSITIVE_INFINITY, fired)).toBeUndefined();
  });
});
