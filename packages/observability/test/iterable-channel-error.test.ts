// Review: an interceptor's iterable that fails with the channel's own error (UsageError: the
// channel closed before the generator made its RPC) ends the call, and its recorder, as
// CANCELLED "Locally cancelled", though nobody cancelled; the same error as an interceptor's
// result (SettledCall) is UNKNOWN "UsageError: ...".
import type { CallTelemetry, ClientCallTelemetry, StatusCode } from '@grpc-aio/core';
import { interceptChannel } from '@grpc-aio/interceptors/client';
import type { Metadata } from '@grpc-aio/metadata';
import { fakeChannel } from '@grpc-aio/testing';
import { expect, it } from 'vitest';

const STREAM = '/test.R2/Stream';

it('a channel error from an interceptor iterable is not reported as a local cancel', async () => {
  const callEnds: [StatusCode, string][] = [];
  const telemetry: CallTelemetry = {
    clientCall: (): ClientCallTelemetry => ({
      attempt: () => ({
        onAttemptStart: (m: Metadata) => m,
        onSent: () => {},
        onReceived: () => {},
        onAttemptEnd: () => {},
      }),
      onCallEnd: (code, details) => {
        callEnds.push([code, details]);
      },
    }),
  };
  const fake = fakeChannel({ telemetry });
  const channel = interceptChannel(fake, {
    interceptUnaryStream: (c, d, r) =>
      (async function* () {
        yield* c(d, r);
      })(),
  });
  const call = channel.unaryStream(STREAM)(Buffer.from('a'));
  await fake.close();
  await expect(call.read()).rejects.toThrow('Channel is closed');
  expect({ code: await call.code(), callEnds }).toEqual({
    code: 2,
    callEnds: [[2, expect.stringContaining('Channel is closed')]],
  });
});
