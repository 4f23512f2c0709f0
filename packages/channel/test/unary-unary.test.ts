import { StatusCode } from '@grpc-aio/core';
import {
  AioRpcError,
  CALL_CREDENTIALS_ON_INSECURE_CHANNEL,
  CancelledError,
  CHANNEL_CLOSED,
  LOCALLY_CANCELLED,
  UsageError,
} from '@grpc-aio/errors';
import { Metadata } from '@grpc-aio/metadata';
import { bytes, Methods, startGrpcJsServer, type TestServer, text } from '@grpc-aio/test-support';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  accessTokenCallCredentials,
  type ClientChannel,
  insecureChannel,
  NO_MESSAGE_RECEIVED,
  TOO_MANY_RESPONSES,
  USER_AGENT,
} from '../src/index.js';

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

function open(): ClientChannel {
  channel = insecureChannel(server.address);
  return channel;
}

describe('unary-unary', () => {
  it('A32 A36 returns the call synchronously; no serializer = bytes pass-through', async () => {
    const call = open().unaryUnary(Methods.echo)(bytes('hello'));
    expect(call.done()).toBe(false);
    const response = await call;
    expect(Buffer.isBuffer(response)).toBe(true);
    expect(text(response)).toBe('hello');
    expect(call.done()).toBe(true);
    expect(await call.code()).toBe(StatusCode.OK);
    // grpc-js servers send 'OK' as the message of an OK status; the client reports what came.
    expect(await call.details()).toBe('OK');
    expect(await call.debugErrorString()).toBe('');
  });

  it('A36 uses the serializer and deserializer', async () => {
    const call = open().unaryUnary(
      Methods.echo,
      (value: { n: number }) => bytes(JSON.stringify(value)),
      (data) => JSON.parse(text(data)) as { n: number },
    )({ n: 7 });
    expect(await call).toEqual({ n: 7 });
  });

  it('A19 initial and trailing metadata; A17 metadata as pairs or Metadata', async () => {
    const echo = open().unaryUnary(Methods.echo);
    const call = echo(bytes('x'), { metadata: [['x-echo', 'a']] });
    // content-type and date (HTTP headers grpc-js passes along) are dropped, as Python never shows them.
    expect([...(await call.initialMetadata())]).toEqual([
      ['initial-key', 'iv'],
      ['x-echo', 'a'],
    ]);
    expect([...(await call.trailingMetadata())]).toEqual([['trailing-key', 'tv']]);
    const second = echo(bytes('x'), { metadata: new Metadata(['x-echo', 'b']) });
    expect((await second.initialMetadata()).getAll('x-echo')).toEqual(['b']);
  });

  it('A1 sends a user-agent naming grpc-aio', async () => {
    await open().unaryUnary(Methods.echo)(bytes('x'));
    const userAgent = String(server.observed.metadata.get(Methods.echo)?.get('user-agent')[0]);
    expect(userAgent.startsWith(`${USER_AGENT} grpc-node-js/`)).toBe(true);
  });

  it('A17 bad metadata elements are a TypeError thrown by the multi-callable', () => {
    const echo = open().unaryUnary(Methods.echo);
    expect(() => echo(bytes('x'), { metadata: [['key', 1 as never]] })).toThrow(
      new TypeError(
        'Metadata value for key "key" must be a string, got number (only "-bin" keys carry bytes).',
      ),
    );
    expect(() => echo(bytes('x'), { metadata: 5 as never })).toThrow(TypeError);
  });

  it('A24 non-OK status: AioRpcError with both metadata sets, cached', async () => {
    const call = open().unaryUnary(Methods.fail)(bytes('x'));
    const error = await call.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(AioRpcError);
    const rpcError = error as AioRpcError;
    expect(rpcError.code()).toBe(StatusCode.NOT_FOUND);
    expect(rpcError.details()).toBe('no such thing');
    expect(rpcError.initialMetadata().get('initial-key')).toBe('iv');
    expect(rpcError.trailingMetadata().get('error-key')).toBe('ev');
    expect([...(rpcError.trailingMetadata().get('error-bin') as Uint8Array)]).toEqual([1, 2, 3]);
    expect(rpcError.debugErrorString()).toBe('5 NOT_FOUND: no such thing');
    expect(String(rpcError)).toBe(
      '<AioRpcError of RPC that terminated with:\n\tstatus = StatusCode.NOT_FOUND\n\tdetails = "no such thing"\n\tdebug_error_string = "5 NOT_FOUND: no such thing"\n>',
    );
    await expect(call).rejects.toBe(rpcError);
    expect(await call.code()).toBe(StatusCode.NOT_FOUND);
    expect(await call.details()).toBe('no such thing');
    expect((await call.trailingMetadata()).get('error-key')).toBe('ev');
  });

  it('A24 the response is cached: a second await yields the identical object', async () => {
    const call = open().unaryUnary(Methods.echo)(bytes('same'));
    const first = await call;
    expect(await call).toBe(first);
    expect(await call.catch(() => 'never')).toBe(first);
    await expect(call.finally(() => undefined)).resolves.toBe(first);
  });

  it('A20 cancel(): true once then false; awaiting rejects with CancelledError; code CANCELLED', async () => {
    const call = open().unaryUnary(Methods.sleep)(bytes('hang'));
    await server.observed.nextCall();
    const cancelledOnServer = server.observed.nextCancel();
    expect(call.cancelled()).toBe(false);
    expect(call.cancel()).toBe(true);
    expect(call.cancel()).toBe(false);
    expect(call.cancelled()).toBe(true);
    expect(call.done()).toBe(true);
    const error = await call.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(CancelledError);
    expect(error).not.toBeInstanceOf(AioRpcError);
    expect((error as Error).message).toBe(LOCALLY_CANCELLED);
    await expect(call).rejects.toBe(error);
    expect(await call.code()).toBe(StatusCode.CANCELLED);
    expect(await call.details()).toBe('Locally cancelled by application!');
    expect([...(await call.trailingMetadata())]).toEqual([]);
    expect(await cancelledOnServer).toBe(Methods.sleep);
  });

  it('A20 cancel() after the end returns false', async () => {
    const call = open().unaryUnary(Methods.echo)(bytes('x'));
    await call;
    expect(call.cancel()).toBe(false);
    expect(call.cancelled()).toBe(false);
  });

  it('A21 an AbortSignal cancels the call (also when already aborted)', async () => {
    const echo = open().unaryUnary(Methods.sleep);
    const controller = new AbortController();
    const call = echo(bytes('hang'), { signal: controller.signal });
    await server.observed.nextCall();
    controller.abort();
    await expect(call).rejects.toBeInstanceOf(CancelledError);
    expect(await call.code()).toBe(StatusCode.CANCELLED);
    const early = echo(bytes('hang'), { signal: AbortSignal.abort() });
    expect(early.cancelled()).toBe(true);
    await expect(early).rejects.toBeInstanceOf(CancelledError);
  });

  it('A22 addDoneCallback runs on termination, and at once when already done', async () => {
    const call = open().unaryUnary(Methods.echo)(bytes('x'));
    const seen: unknown[] = [];
    call.addDoneCallback((done) => seen.push(done));
    await call;
    expect(seen).toEqual([call]);
    call.addDoneCallback((done) => seen.push(done));
    expect(seen).toEqual([call, call]);
  });

  it('A23 timeRemaining: undefined without deadline, seconds left with one', async () => {
    const echo = open().unaryUnary(Methods.echo);
    const plain = echo(bytes('x'));
    expect(plain.timeRemaining()).toBeUndefined();
    const timed = echo(bytes('x'), { timeout: 30 });
    const remaining = timed.timeRemaining()!;
    expect(remaining).toBeGreaterThan(29);
    expect(remaining).toBeLessThanOrEqual(30);
    await Promise.all([plain, timed]);
  });

  it('timeout: DEADLINE_EXCEEDED as AioRpcError', async () => {
    const call = open().unaryUnary(Methods.sleep)(bytes('hang'), { timeout: 0.05 });
    await expect(call).rejects.toBeInstanceOf(AioRpcError);
    expect(await call.code()).toBe(StatusCode.DEADLINE_EXCEEDED);
    expect(call.timeRemaining()).toBe(0);
  });

  // Python (python3-grpcio 1.51 and 1.84, checked): '<_AioCall object>' while running, then
  // '<_AioCall of RPC that terminated with:\n\tstatus = StatusCode.OK\n\tdetails = ""\n...>'.
  it("A19 a call's string form (toString, util.inspect) is Python's, before and after the status", async () => {
    const { inspect } = await import('node:util');
    const call = open().unaryUnary(Methods.echo)(bytes('x'));
    expect(String(call)).toBe('<UnaryUnaryCall object>');
    expect(inspect(call)).toBe('<UnaryUnaryCall object>');
    await call;
    // grpc-js's server sends "OK" as the details of an OK status.
    expect(String(call)).toBe(
      '<UnaryUnaryCall of RPC that terminated with:\n\tstatus = StatusCode.OK\n\tdetails = "OK"\n\tdebug_error_string = ""\n>',
    );
    const failed = channel.unaryUnary(Methods.fail)(bytes('x'));
    await failed.then(undefined, () => undefined);
    expect(inspect(failed)).toBe(
      '<UnaryUnaryCall of RPC that terminated with:\n\tstatus = StatusCode.NOT_FOUND\n\tdetails = "no such thing"\n\tdebug_error_string = "5 NOT_FOUND: no such thing"\n>',
    );
    const cancelled = channel.unaryStream(Methods.stream)(bytes(JSON.stringify({ count: 1, hang: true })));
    expect(String(cancelled)).toBe('<UnaryStreamCall object>');
    cancelled.cancel();
    expect(String(cancelled)).toBe(
      '<UnaryStreamCall of RPC that terminated with:\n\tstatus = StatusCode.CANCELLED\n\tdetails = "Locally cancelled by application!"\n\tdebug_error_string = "None"\n>',
    );
  });

  it('A30 waitForConnection resolves for a live call and rejects AioRpcError for a failed one', async () => {
    const echo = open().unaryUnary(Methods.sleep);
    const call = echo(bytes('20'));
    await call.waitForConnection();
    await call;
    const failed = open().unaryUnary(Methods.fail)(bytes('x'));
    await expect(failed).rejects.toBeInstanceOf(AioRpcError);
    await expect(failed.waitForConnection()).rejects.toBeInstanceOf(AioRpcError);
  });

  it('A30 waitForConnection on a call to a dead address rejects with UNAVAILABLE', async () => {
    channel = insecureChannel('127.0.0.1:1');
    const call = channel.unaryUnary(Methods.echo)(bytes('x'));
    const error = await call.waitForConnection().catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(AioRpcError);
    expect((error as AioRpcError).code()).toBe(StatusCode.UNAVAILABLE);
  });

  it('A37 RPC on a closed channel: UsageError thrown synchronously', async () => {
    const echo = open().unaryUnary(Methods.echo);
    await channel.close();
    expect(() => echo(bytes('x'))).toThrow(new UsageError(CHANNEL_CLOSED));
  });

  it('A2 call credentials on an insecure channel: UsageError', () => {
    const echo = open().unaryUnary(Methods.echo);
    expect(() => echo(bytes('x'), { credentials: accessTokenCallCredentials('t') })).toThrow(
      new UsageError(CALL_CREDENTIALS_ON_INSECURE_CHANNEL),
    );
  });

  it('requests must be bytes without a serializer; a failing serializer fails the call INTERNAL', async () => {
    const echo = open().unaryUnary<unknown>(Methods.echo);
    const call = echo('text');
    const error = (await call.then(undefined, (reason: unknown) => reason)) as AioRpcError;
    expect(error.code()).toBe(StatusCode.INTERNAL);
    expect(error.details()).toBe(
      'Request message serialization failure: Without a request serializer, requests must be a Uint8Array (or Buffer), got string.',
    );
  });

  it('a deserializer that throws fails the call with INTERNAL', async () => {
    const call = open().unaryUnary(Methods.echo, null, () => {
      throw new Error('bad bytes');
    })(bytes('x'));
    const error = (await call.then(undefined, (reason: unknown) => reason)) as AioRpcError;
    expect(error.code()).toBe(StatusCode.INTERNAL);
    expect(error.details()).toBe('Response message parsing error: bad bytes');
    expect((error.cause as Error).message).toBe('bad bytes');
  });

  it('a unary call with no response or two responses fails UNIMPLEMENTED (as in grpc-js)', async () => {
    const none = open().unaryUnary(Methods.none)(bytes('x'));
    expect(await none.then(undefined, (e: AioRpcError) => [e.code(), e.details()])).toEqual([
      StatusCode.UNIMPLEMENTED,
      NO_MESSAGE_RECEIVED,
    ]);
    const twice = channel.unaryUnary(Methods.twice)(bytes('x'));
    expect(await twice.then(undefined, (e: AioRpcError) => [e.code(), e.details()])).toEqual([
      StatusCode.UNIMPLEMENTED,
      TOO_MANY_RESPONSES,
    ]);
  });

  it('waitForReady and compression options are honoured', async () => {
    const echo = open().unaryUnary(Methods.echo);
    expect(text(await echo(bytes('a'), { waitForReady: true, compression: 2 }))).toBe('a');
    expect(text(await echo(bytes('b'), { compression: 0 }))).toBe('b');
    expect(() => echo(bytes('c'), { compression: 9 as never })).toThrow(
      new TypeError('Unknown compression value: 9.'),
    );
    expect(() => echo(bytes('c'), { timeout: 'soon' as never })).toThrow(
      new TypeError('timeout must be a number of seconds.'),
    );
  });

  it('no unhandled rejection from failed or cancelled calls nobody awaits', async () => {
    const unhandled: unknown[] = [];
    const spy = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', spy);
    try {
      const ch = open();
      const failed = ch.unaryUnary(Methods.fail)(bytes('x'));
      const cancelled = ch.unaryUnary(Methods.sleep)(bytes('hang'));
      cancelled.cancel();
      const timedOut = ch.unaryUnary(Methods.sleep)(bytes('hang'), { timeout: 0.01 });
      await failed.code();
      await timedOut.code();
      await cancelled.code();
      // Let any stray rejection surface (two macrotask turns).
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('unhandledRejection', spy);
    }
    expect(unhandled).toEqual([]);
  });
});
