import { EOF, StatusCode } from '@grpc-aio/core';
import { AioRpcError, API_STYLES_MIXED, CancelledError } from '@grpc-aio/errors';
import { FakeChannel } from '@grpc-aio/test-support';
import { describe, expect, it } from 'vitest';
import type { UnaryStreamClientInterceptor } from './client-interceptor.js';
import { interceptChannel } from './intercept-channel.js';
import { IterableCall } from './iterable-call.js';

const METHOD = '/pkg.Svc/Stream';

describe('A64 an iterable as the read source', () => {
  it('without a base call: OK after the end, done callbacks fire then', async () => {
    const call = new IterableCall(['a'], undefined);
    const fired: unknown[] = [];
    call.addDoneCallback((c) => fired.push(c));
    expect(call.done()).toBe(false);
    expect(await call.read()).toBe('a');
    expect(await call.read()).toBe(EOF);
    expect(fired).toEqual([call]);
    expect(await call.code()).toBe(StatusCode.OK);
    expect(await call.details()).toBe('');
    expect((await call.trailingMetadata()).size).toBe(0);
    expect(call.cancel()).toBe(false);
  });

  it('without a base call: an error of the iterable is the call error (UNKNOWN unless an AioRpcError)', async () => {
    const failing = new IterableCall(
      (async function* () {
        yield 1;
        throw new AioRpcError(StatusCode.DATA_LOSS, null, [['t', 'v']], 'lost');
      })(),
      undefined,
    );
    expect(await failing.read()).toBe(1);
    await expect(failing.read()).rejects.toThrow('lost');
    await expect(failing.read()).rejects.toThrow('lost');
    expect(await failing.code()).toBe(StatusCode.DATA_LOSS);
    expect([...(await failing.trailingMetadata())]).toEqual([['t', 'v']]);
    const odd = new IterableCall(
      (async function* () {
        yield* [];
        throw new Error('odd');
      })(),
      undefined,
    );
    await expect(odd.read()).rejects.toThrow('Exception raised by a client interceptor: Error: odd');
    expect(await odd.code()).toBe(StatusCode.UNKNOWN);
  });

  it('without a base call: cancel ends it as CANCELLED and stops the source', async () => {
    let stopped = false;
    const source = (async function* () {
      try {
        yield 1;
        yield 2;
      } finally {
        stopped = true;
      }
    })();
    const call = new IterableCall(source, undefined);
    expect(await call.read()).toBe(1);
    expect(call.cancel()).toBe(true);
    expect(call.cancelled()).toBe(true);
    await expect(call.read()).rejects.toBeInstanceOf(CancelledError);
    expect(await call.code()).toBe(StatusCode.CANCELLED);
    expect(await call.details()).toBe('Locally cancelled by application!');
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(true);
  });

  it('with a base call: cancel, done callbacks and status are the base call', async () => {
    const fake = new FakeChannel(() => ({ manual: true, responses: ['x'] }));
    const mapped: UnaryStreamClientInterceptor = {
      async interceptUnaryStream(continuation, details, request) {
        const call = continuation(details, request);
        return (async function* () {
          for await (const response of call) yield `${response}!`;
        })();
      },
    };
    const call = interceptChannel(fake, mapped).unaryStream(METHOD)(new Uint8Array());
    const fired: unknown[] = [];
    call.addDoneCallback((c) => fired.push(c));
    expect(await call.read()).toBe('x!');
    expect(call.cancel()).toBe(true);
    await expect(call.read()).rejects.toBeInstanceOf(CancelledError);
    expect(fake.calls[0]!.cancelled()).toBe(true);
    expect(call.cancelled()).toBe(true);
    expect(fired).toEqual([call]);
    expect(await call.code()).toBe(StatusCode.CANCELLED);
    expect(() => call[Symbol.asyncIterator]()).toThrow(API_STYLES_MIXED);
  });
});
