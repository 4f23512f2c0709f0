// Interceptors end to end: a grpc-aio channel wrapped with client interceptors against a grpc-aio
// server running server interceptors, over a real loopback socket.
import { insecureChannel } from '@grpc-aio/channel';
import { type Channel, EOF, type Server, type ServicerContext, StatusCode } from '@grpc-aio/core';
import { AioRpcError, CancelledError } from '@grpc-aio/errors';
import {
  interceptChannel,
  metadataInterceptor,
  RpcContextVar,
  recoveryInterceptor,
  retryInterceptor,
  type ServerInterceptor,
  type UnaryUnaryClientInterceptor,
  wrapHandler,
} from '@grpc-aio/interceptors';
import {
  methodHandlersGenericHandler,
  server,
  streamStreamRpcMethodHandler,
  streamUnaryRpcMethodHandler,
  unaryStreamRpcMethodHandler,
  unaryUnaryRpcMethodHandler,
} from '@grpc-aio/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const encode = (text: string) => Buffer.from(text);
const decode = (bytes: Uint8Array) => Buffer.from(bytes).toString();

const caller = new RpcContextVar<string>('caller');
let flaky = 0;
let slowStarted: () => void = () => {};

const handlers = {
  Echo: unaryUnaryRpcMethodHandler(
    async (request: string, context: ServicerContext) => {
      context.setTrailingMetadata([['x-trailer', 'yes']]);
      return `${request} from ${caller.get() ?? '?'} as ${context.invocationMetadata().get('x-user') ?? 'nobody'}`;
    },
    decode,
    encode,
  ),
  Missing: unaryUnaryRpcMethodHandler(
    async (_request: string, context: ServicerContext) =>
      context.abort(StatusCode.NOT_FOUND, 'no such thing', [['x-why', 'gone']]),
    decode,
    encode,
  ),
  Crash: unaryUnaryRpcMethodHandler(
    async () => {
      throw new Error('secret internals');
    },
    decode,
    encode,
  ),
  Flaky: unaryUnaryRpcMethodHandler(
    async (_request: string, context: ServicerContext) => {
      flaky++;
      if (flaky < 3) return context.abort(StatusCode.UNAVAILABLE, `try again ${flaky}`);
      return `ok after ${flaky}`;
    },
    decode,
    encode,
  ),
  Slow: unaryUnaryRpcMethodHandler(
    async (_request: string, context: ServicerContext) => {
      slowStarted();
      await new Promise((resolve) => context.addDoneCallback(resolve));
      return 'never';
    },
    decode,
    encode,
  ),
  Count: unaryStreamRpcMethodHandler(
    async function* (request: string) {
      for (let index = 1; index <= Number(request); index++) yield String(index);
    },
    decode,
    encode,
  ),
  Join: streamUnaryRpcMethodHandler(
    async (requests: AsyncIterable<string>) => {
      const all: string[] = [];
      for await (const request of requests) all.push(request);
      return all.join('+');
    },
    decode,
    encode,
  ),
  WhoAmI: streamUnaryRpcMethodHandler(async () => caller.get() ?? '?', decode, encode),
  Chat: streamStreamRpcMethodHandler(
    async function* (requests: AsyncIterable<string>) {
      for await (const request of requests) yield `re: ${request}`;
    },
    decode,
    encode,
  ),
};

const identify: ServerInterceptor = {
  async interceptService(continuation, details) {
    caller.set(String(details.invocationMetadata.get('x-app') ?? 'anonymous'));
    return continuation(details);
  },
};

const shout: ServerInterceptor = {
  async interceptService(continuation, details) {
    const handler = await continuation(details);
    if (!details.method.endsWith('/Chat')) return handler;
    return wrapHandler(handler, { onResponse: (response: string) => response.toUpperCase() });
  },
};

let srv: Server;
let channel: Channel;
let plain: Channel;

beforeAll(async () => {
  srv = server({
    handlers: [methodHandlersGenericHandler('test.Svc', handlers)],
    interceptors: [recoveryInterceptor(), identify, shout],
  });
  const port = await srv.addInsecurePort('127.0.0.1:0');
  await srv.start();
  plain = insecureChannel(`127.0.0.1:${port}`);
  const asyncPass: UnaryUnaryClientInterceptor = {
    async interceptUnaryUnary(continuation, details, request) {
      await Promise.resolve();
      return continuation(details, request);
    },
  };
  channel = interceptChannel(
    plain,
    metadataInterceptor([['x-app', 'itest']]),
    asyncPass,
    metadataInterceptor(async () => [['x-user', 'ada']]),
  );
});

afterAll(async () => {
  await channel?.close();
  await srv?.stop(null);
});

const unary = (method: string) => channel.unaryUnary(`/test.Svc/${method}`, encode, decode);

describe('interceptors over a real socket', () => {
  it('A64 async client interceptors keep the real call: response, trailing metadata; metadata reaches the handler', async () => {
    const call = unary('Echo')('hi');
    expect(await call).toBe('hi from itest as ada');
    expect(await call.code()).toBe(StatusCode.OK);
    expect((await call.trailingMetadata()).get('x-trailer')).toBe('yes');
  });

  it('A67 a RpcContextVar set by a server interceptor is seen by a unary-request handler', async () => {
    expect(await unary('Echo')('hi')).toBe('hi from itest as ada');
  });

  it('A67 a RpcContextVar set by a server interceptor is seen by a stream-request handler', async () => {
    const whoami = channel.streamUnary('/test.Svc/WhoAmI', encode, decode)([]);
    expect(await whoami).toBe('itest');
  });

  it('A64 a failed call keeps code, details and trailing metadata through async interceptors', async () => {
    const call = unary('Missing')('x');
    const error = (await call.then(undefined, (reason: unknown) => reason)) as AioRpcError;
    expect(error).toBeInstanceOf(AioRpcError);
    expect(error.code()).toBe(StatusCode.NOT_FOUND);
    expect(await call.details()).toBe('no such thing');
    expect((await call.trailingMetadata()).get('x-why')).toBe('gone');
  });

  it('recoveryInterceptor hides a handler crash behind INTERNAL', async () => {
    const call = unary('Crash')('x');
    await expect(call).rejects.toThrow(AioRpcError);
    expect(await call.code()).toBe(StatusCode.INTERNAL);
    expect(await call.details()).toBe('Internal server error');
  });

  it('retryInterceptor retries UNAVAILABLE until the server answers', async () => {
    flaky = 0;
    const retrying = interceptChannel(plain, retryInterceptor({ initialBackoff: 0.001, maxBackoff: 0.005 }));
    const call = retrying.unaryUnary('/test.Svc/Flaky', encode, decode)('x', { timeout: 10 });
    expect(await call).toBe('ok after 3');
    expect(await call.code()).toBe(StatusCode.OK);
  });

  it('A66 cancel while the chain runs cancels the real RPC', async () => {
    const started = new Promise<void>((resolve) => {
      slowStarted = resolve;
    });
    const call = unary('Slow')('x', { timeout: 10 });
    await started;
    expect(call.cancel()).toBe(true);
    await expect(call).rejects.toBeInstanceOf(CancelledError);
    expect(await call.code()).toBe(StatusCode.CANCELLED);
  });

  it('A25 A26 A27 streaming kinds through the chain, write-style included', async () => {
    const count = channel.unaryStream('/test.Svc/Count', encode, decode)('3');
    const seen: unknown[] = [];
    for (let response = await count.read(); response !== EOF; response = await count.read())
      seen.push(response);
    expect(seen).toEqual(['1', '2', '3']);

    const join = channel.streamUnary('/test.Svc/Join', encode, decode)();
    await join.write('a');
    await join.write('b');
    await join.doneWriting();
    expect(await join).toBe('a+b');

    const chat = channel.streamStream('/test.Svc/Chat', encode, decode)(['x', 'y']);
    const replies: string[] = [];
    for await (const reply of chat) replies.push(reply);
    expect(replies).toEqual(['RE: X', 'RE: Y']);
    expect(await chat.code()).toBe(StatusCode.OK);
  });
});
