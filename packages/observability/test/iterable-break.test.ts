// Review: a streaming interceptor's own iterable (no continuation call made): breaking out of
// `for await` over the call ends nothing. The call never ends, so its recorder (span, duration)
// is never ended and its done callbacks never run; on the channel's own calls, breaking out
// cancels the RPC (CANCELLED).
import type { CallTelemetry, ClientCallTelemetry, StatusCode } from '@grpc-aio/core';
import { interceptChannel } from '@grpc-aio/interceptors/client';
import type { Metadata } from '@grpc-aio/metadata';
import { fakeChannel } from '@grpc-aio/testing';
import { describe, expect, it } from 'vitest';

const STREAM = '/test.R2/Stream';

describe('breaking out of an intercepted stream served by the interceptor itself', () => {
  it('ends the call (CANCELLED), as on the plain channel', async () => {
    const callEnds: StatusCode[] = [];
    const telemetry: CallTelemetry = {
      clientCall: (): ClientCallTelemetry => ({
        attempt: () => ({
          onAttemptStart: (metadata: Metadata) => metadata,
          onSent: () => {},
          onReceived: () => {},
          onAttemptEnd: () => {},
        }),
        onCallEnd: (code) => {
          callEnds.push(code);
        },
      }),
    };
    const fake = fakeChannel({ telemetry }).handle(STREAM, async function* (request: Buffer) {
      for (;;) {
        yield request;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    });
    // The plain channel: breaking out cancels.
    for await (const _ of fake.unaryStream(STREAM)(Buffer.from('a'))) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(callEnds).toEqual([1]);
    const channel = interceptChannel(fake, {
      interceptUnaryStream: () =>
        (async function* () {
          for (;;) {
            yield Buffer.from('x');
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
        })(),
    });
    const call = channel.unaryStream(STREAM)(Buffer.from('a'));
    for await (const _ of call) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect({ done: call.done(), callEnds }).toEqual({ done: true, callEnds: [1, 1] });
    await fake.close();
  });
});
