import { describe, expect, it } from 'vitest';
import { fakeChannel } from '../src/index.js';
import { clockOf, strictRealTime } from '../src/time.js';

// Review: the channel's close(grace) now waits on the channel's clock. A fake channel on real time
// (its default) schedules through RealTime.callIn, a plain setTimeout: a grace longer than
// setTimeout holds (2^31 - 1 ms, about 24.8 days) fires at once (TimeoutOverflowWarning), where the
// channel's own timer (setLongTimeout) waited, so close(grace) cancels the calls straight away.

const MONTH = 30 * 24 * 3600;

describe('clockOf(strictRealTime())', () => {
  it('close(grace) of a month on a fake channel leaves its calls running', async () => {
    const fake = fakeChannel();
    const call = fake.unaryUnary('/test.CallEnd/Wait')(Buffer.from('a'));
    call.catch(() => {});
    const closing = fake.close(MONTH);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(call.done()).toBe(false);
    await fake.close();
    await closing;
  });

  it("a real-time clock's long timer does not fire early", async () => {
    let fired = false;
    const cancel = clockOf(strictRealTime()).schedule(() => {
      fired = true;
    }, MONTH * 1000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    cancel();
    expect(fired).toBe(false);
  });
});
