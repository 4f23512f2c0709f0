import { FakeChannel } from '@grpc-aio/test-support';
import { describe, expect, it } from 'vitest';
import { defaultTimeoutInterceptor } from './default-timeout-interceptor.js';
import { interceptChannel } from './intercept-channel.js';

const METHOD = '/pkg.Svc/Method';

describe('defaultTimeoutInterceptor', () => {
  it('A62 gives calls without a timeout the default, keeps an explicit one, for every kind', async () => {
    const fake = new FakeChannel(() => ({ responses: [] }));
    const channel = interceptChannel(fake, defaultTimeoutInterceptor(5));
    await channel.unaryUnary(METHOD)(new Uint8Array());
    await channel.unaryUnary(METHOD)(new Uint8Array(), { timeout: 0.5 });
    for await (const _ of channel.unaryStream(METHOD)(new Uint8Array()));
    await channel.streamUnary(METHOD)([]);
    for await (const _ of channel.streamStream(METHOD)([], { timeout: 1 }));
    expect(fake.calls.map((call) => call.options.timeout)).toEqual([5, 0.5, 5, 5, 1]);
  });

  it('rejects a bad default with a RangeError', () => {
    expect(() => defaultTimeoutInterceptor(0)).toThrow(
      'Default timeout must be a positive number of seconds, got 0.',
    );
    expect(() => defaultTimeoutInterceptor(Number.NaN)).toThrow(RangeError);
  });
});
