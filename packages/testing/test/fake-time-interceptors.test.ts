import { StatusCode, sleepOn } from '@grpc-aio/core';
import { AioRpcError, Status } from '@grpc-aio/errors';
import {
  type ClientCallLogEntry,
  clientLoggingInterceptor,
  defaultTimeoutInterceptor,
  interceptChannel,
  retryInterceptor,
  type UnaryUnaryClientInterceptor,
} from '@grpc-aio/interceptors/client';
import { describe, expect, it } from 'vitest';
import { fakeChannel, strictFakeTime } from '../src/index.js';

// Issue 21 step 2: one clock. A fake channel's time is the clock of its calls, of the interceptor
// chain above it (deadlines, timeRemaining()) and of the interceptors themselves
// (`continuation.clock`): with fake time, nothing waits for real time.

const METHOD = '/test.Clock/Unary';

/** Lets queued microtasks and fake-time callbacks run. */
async function settle(): Promise<void> {
  for (let index = 0; index < 20; index++) await Promise.resolve();
}

describe('fake time reaches the interceptors', () => {
  it("a retry interceptor's backoff waits on fake time: 10 s pass in no real time", async () => {
    const time = strictFakeTime();
    let attempts = 0;
    const fake = fakeChannel({ time }).handle(METHOD, () => {
      attempts++;
      if (attempts === 1) throw new Status(StatusCode.UNAVAILABLE, 'again');
      return Buffer.from('ok');
    });
    const channel = interceptChannel(
      fake,
      retryInterceptor({ initialBackoff: 10, maxBackoff: 10, jitter: 0 }),
    );
    const call = channel.unaryUnary(METHOD)(Buffer.from('x'));
    await settle();
    expect(attempts).toBe(1);
    await time.advance(9.9);
    await settle();
    expect(attempts).toBe(1); // still backing off
    await time.advance(0.1);
    expect((await call).toString()).toBe('ok');
    expect(attempts).toBe(2);
    await fake.close();
  });

  it('a deadline interceptor under fake time: timeRemaining() while an interceptor waits, then the deadline', async () => {
    const time = strictFakeTime();
    const fake = fakeChannel({ time }).handle(METHOD, () => new Promise(() => {})); // never answers
    // Waits 2 s (of the channel's clock) before it lets the call through, as a token refresh would.
    const slow: UnaryUnaryClientInterceptor = {
      async interceptUnaryUnary(continuation, details, request) {
        await sleepOn(continuation.clock, 2, continuation.signal);
        return continuation(details, request);
      },
    };
    const channel = interceptChannel(fake, defaultTimeoutInterceptor(5), slow);
    const call = channel.unaryUnary(METHOD)(Buffer.from('x'));
    expect(call.timeRemaining()).toBe(5);
    await time.advance(1);
    expect(call.timeRemaining()).toBe(4); // counted on fake time by the intercepted call
    await time.advance(1);
    await settle();
    // An async interceptor's call stands for the application's call until its response: it still
    // counts from the 5 s the call started with (the channel's call, made now, has 5 s of its own).
    expect(call.timeRemaining()).toBe(3);
    await time.advance(4.9);
    await settle();
    expect(call.done()).toBe(false);
    await time.advance(0.1);
    const error = await Promise.resolve(call).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(AioRpcError);
    expect((error as AioRpcError).code()).toBe(StatusCode.DEADLINE_EXCEEDED);
    await fake.close();
  });

  it("the logging interceptor's durations are on the channel's clock", async () => {
    const time = strictFakeTime();
    const fake = fakeChannel({ time }).handle(METHOD, async () => {
      await time.sleepFor(3);
      return Buffer.from('ok');
    });
    const entries: ClientCallLogEntry[] = [];
    const channel = interceptChannel(
      fake,
      clientLoggingInterceptor({ logger: (entry) => entries.push(entry) }),
    );
    const call = channel.unaryUnary(METHOD)(Buffer.from('x'));
    await settle();
    await time.advance(3);
    await call;
    await settle();
    expect(entries).toEqual([
      { method: METHOD, kind: 'unaryUnary', code: StatusCode.OK, details: '', durationMs: 3000 },
    ]);
    await fake.close();
  });
});
