import type { CallTelemetry, ClientAttemptTelemetry, ClientCallTelemetry } from '@grpc-aio/core';
import { interceptChannel } from '@grpc-aio/interceptors/client';
import type { Metadata } from '@grpc-aio/metadata';
import { fakeChannel } from '@grpc-aio/testing';
import { describe, expect, it } from 'vitest';

// Review: every call made through interceptChannel() reports onCallEnd exactly once, and a
// recorder that was made is always ended.

const METHOD = '/test.CallEnd/Unary';

/** A CallTelemetry that counts what it is told. */
function recording() {
  const log = { calls: 0, callEnds: [] as number[], attempts: 0, attemptEnds: [] as number[] };
  const telemetry: CallTelemetry = {
    clientCall(): ClientCallTelemetry {
      log.calls++;
      return {
        attempt(): ClientAttemptTelemetry {
          log.attempts++;
          return {
            onAttemptStart: (metadata: Metadata) => metadata,
            onSent: () => {},
            onReceived: () => {},
            onAttemptEnd: (code) => {
              log.attemptEnds.push(code);
            },
          };
        },
        onCallEnd: (code) => {
          log.callEnds.push(code);
        },
      };
    },
  };
  return { telemetry, log };
}

describe('call telemetry through interceptChannel()', () => {
  it('the call has ended (onCallEnd) when awaiting it resumes, as on the plain channel', async () => {
    const { telemetry, log } = recording();
    const fake = fakeChannel({ telemetry }).handle(METHOD, (request: Buffer) => request);
    // The plain channel: ended synchronously with the status.
    await fake.unaryUnary(METHOD)(Buffer.from('a'));
    expect(log.callEnds).toEqual([0]);
    const channel = interceptChannel(fake, {
      interceptUnaryUnary: (continuation, details, request) => continuation(details, request),
    });
    await channel.unaryUnary(METHOD)(Buffer.from('b'));
    expect(log.callEnds).toEqual([0, 0]);
    await fake.close();
  });

  it('an interceptor done callback that throws does not lose the call end', async () => {
    const { telemetry, log } = recording();
    const fake = fakeChannel({ telemetry }).handle(METHOD, (request: Buffer) => request);
    const channel = interceptChannel(fake, {
      interceptUnaryUnary: (continuation, details, request) => {
        const call = continuation(details, request);
        call.addDoneCallback(() => {
          throw new Error('a buggy done callback');
        });
        return call;
      },
    });
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      await channel.unaryUnary(METHOD)(Buffer.from('b'));
      for (let index = 0; index < 20; index++) await Promise.resolve();
    } finally {
      console.error = original;
    }
    expect(errors).toHaveLength(1);
    expect(log.attemptEnds).toEqual([0]);
    expect(log.callEnds).toEqual([0]);
    await fake.close();
  });

  it('a call refused by option checks leaves no recorder behind', async () => {
    const { telemetry, log } = recording();
    const fake = fakeChannel({ telemetry });
    const channel = interceptChannel(fake, {
      interceptUnaryUnary: (continuation, details, request) => continuation(details, request),
    });
    // The plain channel refuses before any telemetry.
    expect(() => fake.unaryUnary(METHOD)(Buffer.from('a'), { deadline: 1 } as never)).toThrow(TypeError);
    expect(log.calls).toBe(0);
    expect(() => channel.unaryUnary(METHOD)(Buffer.from('a'), { deadline: 1 } as never)).toThrow(TypeError);
    expect(log.calls).toBe(log.callEnds.length);
    await fake.close();
  });

  it('a recorder that throws is logged; the call still settles, with or without interceptors', async () => {
    const throwing: CallTelemetry = {
      clientCall: () => ({
        attempt: () => ({
          onAttemptStart: (metadata: Metadata) => metadata,
          onSent: () => {},
          onReceived: () => {},
          onAttemptEnd: () => {
            throw new Error('attempt recorder broke');
          },
        }),
        onCallEnd: () => {
          throw new Error('call recorder broke');
        },
      }),
    };
    const fake = fakeChannel({ telemetry: throwing }).handle(METHOD, (request: Buffer) => request);
    const channel = interceptChannel(fake, {
      interceptUnaryUnary: (continuation, details, request) => continuation(details, request),
    });
    const logged: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => logged.push(args);
    try {
      expect(String(await fake.unaryUnary(METHOD)(Buffer.from('a')))).toBe('a');
      expect(String(await channel.unaryUnary(METHOD)(Buffer.from('b')))).toBe('b');
    } finally {
      console.error = original;
    }
    expect(logged.map(([message, error]) => `${message} ${(error as Error).message}`)).toEqual([
      'grpc-aio: a telemetry recorder failed attempt recorder broke',
      'grpc-aio: a telemetry recorder failed call recorder broke',
      'grpc-aio: a telemetry recorder failed attempt recorder broke',
      'grpc-aio: a telemetry recorder failed call recorder broke',
    ]);
    await fake.close();
  });

  it('a call on a closed channel is not recorded, with or without interceptors', async () => {
    const { telemetry, log } = recording();
    const fake = fakeChannel({ telemetry });
    const channel = interceptChannel(fake, {
      interceptUnaryUnary: (continuation, details, request) => continuation(details, request),
    });
    await fake.close();
    expect(() => fake.unaryUnary(METHOD)(Buffer.from('a'))).toThrow('Channel is closed');
    await expect(channel.unaryUnary(METHOD)(Buffer.from('a'))).rejects.toThrow('Channel is closed');
    expect(log.calls).toBe(0);
  });

  it('a recorder of another shape (before attempts) is a TypeError naming what it lacks', async () => {
    const old = {
      clientCall: () => ({ onAttemptStart: (metadata: Metadata) => metadata, onEnd: () => {} }),
    } as unknown as CallTelemetry;
    const fake = fakeChannel({ telemetry: old }).handle(METHOD, (request: Buffer) => request);
    expect(() => fake.unaryUnary(METHOD)(Buffer.from('a'))).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: A CallTelemetry.clientCall() must return a ClientCallTelemetry with attempt() and onCallEnd() (or undefined), got onAttemptStart, onEnd.]`,
    );
    await fake.close();
  });
});
