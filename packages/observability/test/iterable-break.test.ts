// Review: breaking out of `for await` over a streaming call whose responses an interceptor
// produced (its own iterable, or one over the call its continuation made) ends the call
// (CANCELLED), as it does on the channel's own calls: its recorder (span, duration) is ended and
// its done callbacks run. Before, such a call never ended, or ended only when the server did.
import type { CallTelemetry, ClientCallTelemetry, StatusCode } from '@grpc-aio/core';
import { interceptChannel } from '@grpc-aio/interceptors/client';
import type { Metadata } from '@grpc-aio/metadata';
import { fakeChannel } from '@grpc-aio/testing';
import { describe, expect, it } from 'vitest';

const STREAM = '/test.Break/Stream';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A fake channel whose stream never ends, and the codes its calls end with. */
function endlessStream() {
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
      await pause(5);
    }
  });
  return { fake, callEnds };
}

describe('breaking out of an intercepted stream', () => {
  it('ends the call (CANCELLED) when the interceptor serves it from its own iterable, as on the plain channel', async () => {
    const { fake, callEnds } = endlessStream();
    // The plain channel: breaking out cancels.
    for await (const _ of fake.unaryStream(STREAM)(Buffer.from('a'))) break;
    await pause(20);
    expect(callEnds).toEqual([1]);
    const channel = interceptChannel(fake, {
      interceptUnaryStream: () =>
        (async function* () {
          for (;;) {
            yield Buffer.from('x');
            await pause(5);
          }
        })(),
    });
    const call = channel.unaryStream(STREAM)(Buffer.from('a'));
    for await (const _ of call) break;
    await pause(20);
    expect({ done: call.done(), callEnds }).toEqual({ done: true, callEnds: [1, 1] });
    await fake.close();
  });

  it('cancels the call its continuation made when the interceptor serves an iterable over it', async () => {
    const { fake, callEnds } = endlessStream();
    const channel = interceptChannel(fake, {
      interceptUnaryStream: (continuation, details, request) => {
        const inner = continuation(details, request);
        return (async function* () {
          for await (const message of inner) yield message;
        })();
      },
    });
    const call = channel.unaryStream(STREAM)(Buffer.from('a'));
    for await (const _ of call) break;
    await pause(30);
    expect({ done: call.done(), callEnds }).toEqual({ done: true, callEnds: [1] });
    await fake.close();
  });
});
