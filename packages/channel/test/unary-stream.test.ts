import { EOF, StatusCode } from '@grpc-aio/core';
import { AioRpcError, API_STYLES_MIXED, CancelledError, UsageError } from '@grpc-aio/errors';
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
  await channel?.close();
});

function stream(request: object, options?: Parameters<ReturnType<ClientChannel['unaryStream']>>[1]) {
  channel ??= insecureChannel(server.address);
  return channel.unaryStream(Methods.stream)(bytes(JSON.stringify(request)), options);
}

describe('unary-stream', () => {
  afterEach(() => {
    channel = undefined as never;
  });

  it('A33 A25 async iteration yields every response', async () => {
    channel = insecureChannel(server.address);
    const call = stream({ count: 3 });
    const seen: string[] = [];
    for await (const message of call) seen.push(text(message));
    expect(seen).toEqual(['m0', 'm1', 'm2']);
    expect(await call.code()).toBe(StatusCode.OK);
  });

  it('A25 read() returns EOF at the end, and EOF again on every later read', async () => {
    channel = insecureChannel(server.address);
    const call = stream({ count: 2 });
    expect(text((await call.read()) as Uint8Array)).toBe('m0');
    expect(text((await call.read()) as Uint8Array)).toBe('m1');
    expect(await call.read()).toBe(EOF);
    expect(await call.read()).toBe(EOF);
    expect(await call.read()).toBe(EOF);
  });

  it('A25 mixing read() and iteration is a UsageError (both orders)', async () => {
    channel = insecureChannel(server.address);
    const first = stream({ count: 2 });
    await first.read();
    expect(() => first[Symbol.asyncIterator]()).toThrow(new UsageError(API_STYLES_MIXED));
    const second = stream({ count: 2 });
    const iterator = second[Symbol.asyncIterator]();
    await iterator.next();
    await expect(second.read()).rejects.toThrow(new UsageError(API_STYLES_MIXED));
    expect(API_STYLES_MIXED).toBe('The iterator and read/write APIs may not be mixed on a single RPC.');
    first.cancel();
    second.cancel();
  });

  it('A25 a non-OK status after some messages: the messages, then AioRpcError (read and iteration)', async () => {
    channel = insecureChannel(server.address);
    const call = stream({ count: 2, fail: true });
    expect(text((await call.read()) as Uint8Array)).toBe('m0');
    expect(text((await call.read()) as Uint8Array)).toBe('m1');
    const error = await call.read().catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(AioRpcError);
    expect((error as AioRpcError).code()).toBe(StatusCode.RESOURCE_EXHAUSTED);
    expect((error as AioRpcError).details()).toBe('stream failed');
    expect((error as AioRpcError).trailingMetadata().get('error-key')).toBe('ev');
    await expect(call.read()).rejects.toBe(error);

    const iterated = stream({ count: 1, fail: true });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const message of iterated) seen.push(text(message));
      })(),
    ).rejects.toBeInstanceOf(AioRpcError);
    expect(seen).toEqual(['m0']);
  });

  it('deadline exceeded mid-stream', async () => {
    channel = insecureChannel(server.address);
    const call = stream({ count: 1, hang: true }, { timeout: 0.2 });
    expect(text((await call.read()) as Uint8Array)).toBe('m0');
    const error = await call.read().catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(AioRpcError);
    expect((error as AioRpcError).code()).toBe(StatusCode.DEADLINE_EXCEEDED);
  });

  it('A20 cancel from the client while reading: CancelledError; the server sees the cancel', async () => {
    channel = insecureChannel(server.address);
    const call = stream({ count: 1, hang: true });
    expect(text((await call.read()) as Uint8Array)).toBe('m0');
    const pending = call.read();
    const serverCancel = server.observed.nextCancel();
    expect(call.cancel()).toBe(true);
    await expect(pending).rejects.toBeInstanceOf(CancelledError);
    await expect(call.read()).rejects.toBeInstanceOf(CancelledError);
    expect(await call.code()).toBe(StatusCode.CANCELLED);
    expect(await serverCancel).toBe(Methods.stream);
  });

  it('A21 an AbortSignal cancels a stream being iterated', async () => {
    channel = insecureChannel(server.address);
    const controller = new AbortController();
    const call = stream({ count: 1, hang: true }, { signal: controller.signal });
    const seen: string[] = [];
    const done = (async () => {
      for await (const message of call) {
        seen.push(text(message));
        controller.abort();
      }
    })();
    await expect(done).rejects.toBeInstanceOf(CancelledError);
    expect(seen).toEqual(['m0']);
  });

  it('breaking out of for-await cancels the RPC', async () => {
    channel = insecureChannel(server.address);
    const call = stream({ count: 1, hang: true });
    for await (const _message of call) break;
    expect(call.cancelled()).toBe(true);
    expect(await call.code()).toBe(StatusCode.CANCELLED);
  });

  it('cancel from the server side (server shuts down mid-stream): AioRpcError', async () => {
    const own = await startGrpcJsServer();
    channel = insecureChannel(own.address);
    const call = channel.unaryStream(Methods.stream)(bytes(JSON.stringify({ count: 1, hang: true })));
    expect(text((await call.read()) as Uint8Array)).toBe('m0');
    await own.close();
    const error = await call.read().catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(AioRpcError);
    expect([StatusCode.CANCELLED, StatusCode.UNAVAILABLE, StatusCode.INTERNAL]).toContain(
      (error as AioRpcError).code(),
    );
    expect(call.cancelled()).toBe((error as AioRpcError).code() === StatusCode.CANCELLED);
  });

  it('A19 initial metadata arrives before the end; trailing metadata is empty Metadata, not undefined', async () => {
    channel = insecureChannel(server.address);
    const call = stream({ count: 0 });
    expect(await call.read()).toBe(EOF);
    const trailing = await call.trailingMetadata();
    expect(trailing).toBeDefined();
    expect(trailing.size).toBe(0);
  });
});
