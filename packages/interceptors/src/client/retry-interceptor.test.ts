import { StatusCode } from '@grpc-aio/core';
import { AioRpcError, CancelledError } from '@grpc-aio/errors';
import { FakeChannel } from '@grpc-aio/test-support';
import { describe, expect, it } from 'vitest';
import { interceptChannel } from './intercept-channel.js';
import { type RetryOptions, retryInterceptor } from './retry-interceptor.js';

const METHOD = '/pkg.Svc/Method';

/** A channel failing with `codes` in turn, then succeeding; a fake clock advanced by the sleeps. */
function setup(codes: StatusCode[], options: RetryOptions = {}) {
  let clock = 0;
  const sleeps: number[] = [];
  let attempt = 0;
  const fake = new FakeChannel(() => {
    const code = codes[attempt++];
    return code === undefined
      ? { response: 'ok', trailingMetadata: [['attempt', String(attempt)]] }
      : { code, details: `fail ${attempt}`, trailingMetadata: [['attempt', String(attempt)]] };
  });
  const channel = interceptChannel(
    fake,
    retryInterceptor({
      initialBackoff: 0.1,
      maxBackoff: 0.3,
      random: () => 0.5,
      now: () => clock,
      sleep: async (seconds) => {
        sleeps.push(seconds);
        clock += seconds * 1000;
      },
      ...options,
    }),
  );
  return { fake, channel, sleeps, advance: (ms: number) => (clock += ms) };
}

describe('retryInterceptor', () => {
  it('retries on a retryable code with exponential backoff, and the caller sees the successful attempt', async () => {
    const { fake, channel, sleeps } = setup([StatusCode.UNAVAILABLE, StatusCode.UNAVAILABLE], {
      maxAttempts: 5,
    });
    const call = channel.unaryUnary(METHOD)(new Uint8Array());
    expect(await call).toBe('ok');
    expect(fake.calls).toHaveLength(3);
    expect(sleeps).toEqual([0.1, 0.2]);
    expect(await call.code()).toBe(StatusCode.OK);
    expect([...(await call.trailingMetadata())]).toEqual([['attempt', '3']]);
  });

  it('caps the backoff at maxBackoff and applies the jitter', async () => {
    const { sleeps, channel } = setup(Array(4).fill(StatusCode.UNAVAILABLE), {
      maxAttempts: 5,
      jitter: 0.5,
      random: () => 1,
    });
    await channel.unaryUnary(METHOD)(new Uint8Array());
    expect(sleeps.map((s) => Number(s.toFixed(3)))).toEqual([0.15, 0.3, 0.45, 0.45]);
  });

  it('gives up after maxAttempts with the last error, code and metadata', async () => {
    const { fake, channel } = setup(Array(5).fill(StatusCode.UNAVAILABLE), { maxAttempts: 3 });
    const call = channel.unaryUnary(METHOD)(new Uint8Array());
    const error = (await call.then(undefined, (reason: unknown) => reason)) as AioRpcError;
    expect(error).toBeInstanceOf(AioRpcError);
    expect(error.details()).toBe('fail 3');
    expect(error).toBe(await fake.calls[2]!.then(undefined, (reason: unknown) => reason));
    expect(await call.details()).toBe('fail 3');
    expect([...(await call.trailingMetadata())]).toEqual([['attempt', '3']]);
    expect(fake.calls).toHaveLength(3);
  });

  it('does not retry other codes', async () => {
    const { fake, channel } = setup([StatusCode.INVALID_ARGUMENT]);
    await expect(channel.unaryUnary(METHOD)(new Uint8Array())).rejects.toThrow('fail 1');
    expect(fake.calls).toHaveLength(1);
  });

  it('retries the chosen codes', async () => {
    const { fake, channel } = setup([StatusCode.RESOURCE_EXHAUSTED], {
      retryableCodes: [StatusCode.RESOURCE_EXHAUSTED],
    });
    expect(await channel.unaryUnary(METHOD)(new Uint8Array())).toBe('ok');
    expect(fake.calls).toHaveLength(2);
  });

  it('respects the deadline: each attempt gets the time left, and no retry past the deadline', async () => {
    const { fake, channel, sleeps } = setup(Array(10).fill(StatusCode.UNAVAILABLE), {
      maxAttempts: 10,
      initialBackoff: 0.4,
      maxBackoff: 0.4,
    });
    // 1 s: attempts at 0, 0.4, 0.8; the next backoff would end at 1.2 > 1.
    const call = channel.unaryUnary(METHOD)(new Uint8Array(), { timeout: 1 });
    await expect(call).rejects.toThrow('fail 3');
    expect(sleeps).toEqual([0.4, 0.4]);
    expect(fake.calls.map((c) => Number(c.options.timeout!.toFixed(3)))).toEqual([1, 0.6, 0.2]);
  });

  it('a cancel during the backoff stops the retries', async () => {
    let release!: () => void;
    const fake = new FakeChannel(() => ({ code: StatusCode.UNAVAILABLE }));
    const started = new Promise<void>((resolve) => {
      release = resolve;
    });
    let sleepSignal: AbortSignal | undefined;
    const channel = interceptChannel(
      fake,
      retryInterceptor({
        sleep: (_seconds, signal) => {
          sleepSignal = signal;
          release();
          return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
        },
      }),
    );
    const call = channel.unaryUnary(METHOD)(new Uint8Array());
    await started;
    expect(call.cancel()).toBe(true);
    expect(sleepSignal!.aborted).toBe(true);
    await expect(call).rejects.toBeInstanceOf(CancelledError);
    await new Promise((resolve) => setImmediate(resolve));
    expect(fake.calls).toHaveLength(1);
  });

  it('the default timer sleep works with tiny backoffs', async () => {
    let attempt = 0;
    const fake = new FakeChannel(() =>
      attempt++ === 0 ? { code: StatusCode.UNAVAILABLE } : { response: 'ok' },
    );
    const channel = interceptChannel(fake, retryInterceptor({ initialBackoff: 0.001, maxBackoff: 0.001 }));
    expect(await channel.unaryUnary(METHOD)(new Uint8Array())).toBe('ok');
  });

  it('rejects bad options with a RangeError', () => {
    expect(() => retryInterceptor({ maxAttempts: 0 })).toThrow(
      'retryInterceptor maxAttempts must be an integer >= 1, got 0.',
    );
    expect(() => retryInterceptor({ initialBackoff: 2, maxBackoff: 1 })).toThrow(
      'retryInterceptor maxBackoff must be a number >= 2, got 1.',
    );
    expect(() => retryInterceptor({ jitter: 2 })).toThrow(
      'retryInterceptor jitter must be at most 1, got 2.',
    );
  });
});

describe('options the interceptor factories do not take are refused', () => {
  it('retryInterceptor({ maxRetries }) is a TypeError naming the option and the ones it takes', async () => {
    expect(() => retryInterceptor({ maxRetries: 3 } as never)).toThrow(
      new TypeError(
        "retryInterceptor() does not take the option 'maxRetries'; it takes 'maxAttempts', 'retryableCodes', 'initialBackoff', 'maxBackoff', 'backoffMultiplier', 'jitter', 'sleep', 'random', 'now'.",
      ),
    );
    const { clientLoggingInterceptor } = await import('./logging-interceptor.js');
    const { recoveryInterceptor, serverLoggingInterceptor } = await import('../server.js');
    expect(() => clientLoggingInterceptor({ log: () => {} } as never)).toThrow(
      "does not take the option 'log'",
    );
    expect(() => serverLoggingInterceptor({ log: () => {} } as never)).toThrow(
      "does not take the option 'log'",
    );
    expect(() => recoveryInterceptor({ status: () => {} } as never)).toThrow(
      "does not take the option 'status'",
    );
  });
});
