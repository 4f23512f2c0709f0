// Review: as in iterable-break.test.ts, with a base call: breaking out leaves the base RPC
// running (the plain channel's call is cancelled); the call ends only when the server ends it.
import type { CallTelemetry, ClientCallTelemetry, StatusCode } from '@grpc-aio/core';
import { interceptChannel } from '@grpc-aio/interceptors/client';
import type { Metadata } from '@grpc-aio/metadata';
import { fakeChannel } from '@grpc-aio/testing';
import { expect, it } from 'vitest';

const STREAM = '/test.R2/Stream';

it('breaking out of an iterable over the base call cancels the base', async () => {
  const callEnds: StatusCode[] = [];
  const telemetry: CallTelemetry = {
    clientCall: (): ClientCallTelemetry => ({
      attempt: () => ({
        onAttemptStart: (m: Metadata) => m,
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
  const channel = interceptChannel(fake, {
    interceptUnaryStream: (c, d, r) => {
      const inner = c(d, r);
      return (async function* () {
        for await (const m of inner) yield m;
      })();
    },
  });
  const call = channel.unaryStream(STREAM)(Buffer.from('a'));
  for await (const _ of call) break;
  await new Promise((resolve) => setTimeout(resolve, 30));
  expect({ done: call.done(), callEnds }).toEqual({ done: true, callEnds: [1] });
  await fake.close();
});
