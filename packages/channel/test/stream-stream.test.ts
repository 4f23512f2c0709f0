import { EOF, StatusCode } from '@grpc-aio/core';
import {
  AioRpcError,
  API_STYLES_MIXED,
  CancelledError,
  HALF_CLOSED,
  InvalidStateError,
  UsageError,
} from '@grpc-aio/errors';
import { bytes, Methods, startGrpcJsServer, type TestServer, text } from '@grpc-aio/test-support';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ClientChannel, insecureChannel } from '../src/index.js';

let server: TestServer;
let channel: ClientChannel;

beforeAll(async () => {
  server = await startGrpcJsServer();
});
afterAll(async () => {
  await server.close();
});
afterEach(async () => {
  await channel.close();
});

function bidi() {
  channel = insecureChannel(server.address);
  return channel.streamStream(Methods.bidi);
}

describe('stream-stream', () => {
  it('A35 A27 ping-pong with write()/read(), then doneWriting() and EOF (twice)', async () => {
    const call = bidi()();
    await call.write(bytes('ping'));
    expect(text((await call.read()) as Uint8Array)).toBe('ping');
    await call.write(bytes('pong'));
    expect(text((await call.read()) as Uint8Array)).toBe('pong');
    await call.doneWriting();
    expect(await call.read()).toBe(EOF);
    expect(await call.read()).toBe(EOF);
    expect(await call.code()).toBe(StatusCode.OK);
  });

  it('A27 write()s not awaited one by one all arrive, in order; doneWriting() waits its turn', async () => {
    const call = bidi()();
    const values = Array.from({ length: 200 }, (_, index) => `m${index}`);
    for (const value of values) void call.write(bytes(value));
    void call.doneWriting();
    const echoed: string[] = [];
    for await (const message of call) echoed.push(text(message as Uint8Array));
    expect(echoed).toEqual(values);
    expect(await call.code()).toBe(StatusCode.OK);
  });

  it('A35 a request iterable and async iteration of the responses', async () => {
    async function* requests() {
      yield bytes('a');
      yield bytes('b');
    }
    const call = bidi()(requests());
    const seen: string[] = [];
    for await (const message of call) seen.push(text(message));
    expect(seen).toEqual(['a', 'b']);
  });

  it('A28 write after doneWriting: InvalidStateError; write with an iterable: UsageError', async () => {
    const call = bidi()();
    await call.doneWriting();
    await expect(call.write(bytes('x'))).rejects.toThrow(new InvalidStateError(HALF_CLOSED));
    expect(await call.read()).toBe(EOF);
    const withIterable = channel.streamStream(Methods.bidi)([bytes('a')]);
    await expect(withIterable.write(bytes('b'))).rejects.toThrow(new UsageError(API_STYLES_MIXED));
    await expect(withIterable.read()).resolves.toEqual(bytes('a'));
    expect(await withIterable.read()).toBe(EOF);
  });

  it('A25 A27 mixing read() and iteration: UsageError', async () => {
    const call = bidi()();
    const iterator = call[Symbol.asyncIterator]();
    await expect(call.read()).rejects.toThrow(new UsageError(API_STYLES_MIXED));
    await call.doneWriting();
    expect((await iterator.next()).done).toBe(true);
  });

  it('server error mid-stream: AioRpcError from read()', async () => {
    const call = bidi()();
    await call.write(bytes('one'));
    expect(text((await call.read()) as Uint8Array)).toBe('one');
    await call.write(bytes('fail'));
    const error = await call.read().catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(AioRpcError);
    expect((error as AioRpcError).code()).toBe(StatusCode.ABORTED);
    expect((error as AioRpcError).details()).toBe('bidi aborted');
  });

  it('A29 a sync request iterable that throws cancels the RPC', async () => {
    const boom = new Error('sync broke');
    function* requests() {
      yield bytes('a');
      throw boom;
    }
    const call = bidi()(requests());
    const error = await (async () => {
      for await (const _message of call) {
        // drain
      }
    })().catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as Error).cause).toBe(boom);
    expect(await call.code()).toBe(StatusCode.CANCELLED);
  });

  it('A20 A21 cancel via AbortSignal while reading and writing', async () => {
    const controller = new AbortController();
    const call = bidi()(undefined, { signal: controller.signal });
    await call.write(bytes('x'));
    await call.read();
    const pending = call.read();
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(CancelledError);
    expect(await call.details()).toBe('Locally cancelled by application!');
  });

  it('deadline exceeded mid-stream', async () => {
    const call = bidi()(undefined, { timeout: 0.2 });
    await call.write(bytes('x'));
    expect(text((await call.read()) as Uint8Array)).toBe('x');
    const error = await call.read().catch((reason: unknown) => reason);
    expect((error as AioRpcError).code()).toBe(StatusCode.DEADLINE_EXCEEDED);
  });

  it('no unhandled rejection from streaming calls nobody reads', async () => {
    const unhandled: unknown[] = [];
    const spy = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', spy);
    try {
      const ch = bidi();
      const throwing = ch(
        (function* () {
          yield bytes('a');
          throw new Error('nobody listens');
        })(),
      );
      const failing = ch([bytes('fail')]);
      const cancelled = ch();
      cancelled.cancel();
      const timedOut = ch(undefined, { timeout: 0.01 });
      const upload = channel.streamUnary(Methods.upload)([bytes('fail')]);
      await Promise.all([throwing.code(), failing.code(), cancelled.code(), timedOut.code(), upload.code()]);
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('unhandledRejection', spy);
    }
    expect(unhandled).toEqual([]);
  });
});
