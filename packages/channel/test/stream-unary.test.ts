import { StatusCode } from '@grpc-aio/core';
import {
  AioRpcError,
  API_STYLES_MIXED,
  CancelledError,
  HALF_CLOSED,
  InvalidStateError,
  RPC_ALREADY_FINISHED,
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

function upload() {
  channel = insecureChannel(server.address);
  return channel.streamUnary(Methods.upload);
}

describe('stream-unary', () => {
  it('A34 A26 write()/doneWriting() then await; doneWriting is idempotent', async () => {
    const call = upload()();
    await call.write(bytes('a'));
    await call.write(bytes('b'));
    await call.doneWriting();
    await call.doneWriting();
    expect(text(await call)).toBe('n:2:a,b');
    expect(await call.code()).toBe(StatusCode.OK);
  });

  it('A26 write()s not awaited one by one are all sent, in order, before the half-close', async () => {
    const call = upload()();
    const values = Array.from({ length: 300 }, (_, index) => String(index));
    const writes = values.map((value) => call.write(bytes(value)));
    const done = call.doneWriting();
    await Promise.all([...writes, done]);
    expect(text(await call)).toBe(`n:300:${values.join(',')}`);
  });

  it('A34 a sync request iterable', async () => {
    const call = upload()([bytes('x'), bytes('y'), bytes('z')]);
    expect(text(await call)).toBe('n:3:x,y,z');
  });

  it('A34 an async request iterable', async () => {
    async function* requests() {
      yield bytes('1');
      await Promise.resolve();
      yield bytes('2');
    }
    const call = upload()(requests());
    expect(text(await call)).toBe('n:2:1,2');
  });

  it('A28 write() after doneWriting(): InvalidStateError HALF_CLOSED', async () => {
    const call = upload()();
    await call.doneWriting();
    const error = await call.write(bytes('late')).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(InvalidStateError);
    expect((error as Error).message).toBe('RPC is half closed after calling "done_writing".');
    expect(HALF_CLOSED).toBe((error as Error).message);
    expect(text(await call)).toBe('n:0:');
  });

  it('A28 write() after the RPC ended: InvalidStateError RPC_ALREADY_FINISHED; doneWriting() is a no-op', async () => {
    const call = upload()();
    await call.write(bytes('fail'));
    await expect(call).rejects.toBeInstanceOf(AioRpcError);
    await expect(call.write(bytes('late'))).rejects.toThrow(new InvalidStateError(RPC_ALREADY_FINISHED));
    await expect(call.doneWriting()).resolves.toBeUndefined();
    expect(await call.code()).toBe(StatusCode.INVALID_ARGUMENT);
    expect(await call.details()).toBe('bad request');
  });

  it('A28 write()/doneWriting() on a call made with a request iterable: UsageError', async () => {
    const call = upload()([bytes('a')]);
    await expect(call.write(bytes('b'))).rejects.toThrow(new UsageError(API_STYLES_MIXED));
    await expect(call.doneWriting()).rejects.toThrow(new UsageError(API_STYLES_MIXED));
    expect(text(await call)).toBe('n:1:a');
  });

  it('A29 a request iterable that throws cancels the RPC (the error is the cause)', async () => {
    const boom = new Error('iterator broke');
    async function* requests() {
      yield bytes('a');
      throw boom;
    }
    const call = upload()(requests());
    const error = await call.then(undefined, (reason: unknown) => reason);
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as Error).cause).toBe(boom);
    expect(await call.code()).toBe(StatusCode.CANCELLED);
    expect(call.cancelled()).toBe(true);
  });

  it('A29 an RPC error while consuming the iterable stops consumption quietly', async () => {
    let pulled = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* requests() {
      pulled++;
      yield bytes('fail');
      await gate;
      pulled++;
      yield bytes('after');
      pulled++;
    }
    const call = upload()(requests());
    const error = await call.then(undefined, (reason: unknown) => reason);
    expect((error as AioRpcError).code()).toBe(StatusCode.INVALID_ARGUMENT);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(pulled).toBeLessThanOrEqual(2);
  });

  it('A20 cancel() during writes: CancelledError, writes after it fail RPC_ALREADY_FINISHED', async () => {
    const started = server.observed.nextCall();
    const call = upload()();
    await call.write(bytes('a'));
    await started;
    const serverCancel = server.observed.nextCancel();
    expect(call.cancel()).toBe(true);
    await expect(call).rejects.toBeInstanceOf(CancelledError);
    await expect(call.write(bytes('b'))).rejects.toThrow(new InvalidStateError(RPC_ALREADY_FINISHED));
    expect(await serverCancel).toBe(Methods.upload);
  });

  it('A30 waitForConnection on a streaming call that never writes resolves once headers arrive or it ends', async () => {
    const call = upload()();
    const connected = call.waitForConnection();
    await call.doneWriting();
    await connected;
    expect(text(await call)).toBe('n:0:');
  });

  // Python's pattern `await call.wait_for_connection(); await call.write(...)`: the server (grpc-js's)
  // sends its headers only with the response, after the requests; waitForConnection must resolve
  // once the call started on a ready connection, not wait for those headers.
  it("A30 waitForConnection() then write(): resolves before the server sends anything (Python's pattern)", async () => {
    const call = upload()(undefined, { timeout: 10 });
    const connected = await Promise.race([
      call.waitForConnection().then(() => 'connected'),
      new Promise((resolve) => setTimeout(resolve, 3000, 'still waiting')),
    ]);
    expect(connected).toBe('connected');
    await call.write(bytes('a'));
    await call.doneWriting();
    expect(text(await call)).toBe('n:1:a');
  });

  it('A30 waitForConnection() on a stream-request call to a dead address rejects with UNAVAILABLE', async () => {
    const dead = insecureChannel('127.0.0.1:1');
    try {
      const call = dead.streamUnary(Methods.upload)();
      const error = await call.waitForConnection().catch((reason: unknown) => reason);
      expect((error as AioRpcError).code()).toBe(StatusCode.UNAVAILABLE);
    } finally {
      await dead.close();
    }
  });

  it('timeout while writing: DEADLINE_EXCEEDED', async () => {
    const call = upload()(undefined, { timeout: 0.05 });
    await call.write(bytes('a'));
    const error = await call.then(undefined, (reason: unknown) => reason);
    expect((error as AioRpcError).code()).toBe(StatusCode.DEADLINE_EXCEEDED);
  });

  it('a request that is not an iterable is a TypeError', () => {
    expect(() => upload()(5 as never)).toThrow(
      new TypeError('The request iterator must be an iterable or async iterable (or null).'),
    );
  });
});
