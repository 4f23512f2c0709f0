import { EOF, type RpcMethodHandler, StatusCode } from '@grpc-aio/core';
import { AbortError } from '@grpc-aio/errors';
import { collect, FakeContext } from '@grpc-aio/test-support';
import { describe, expect, it } from 'vitest';
import { type HandlerHooks, wrapHandler } from './wrap-handler.js';

const upper: HandlerHooks = {
  onRequest: (request) => `${request}`.toUpperCase(),
  onResponse: async (response) => `<${response}>`,
};

describe('wrapHandler (beyond Python: grpc#28728)', () => {
  it('A67 unary-unary: transforms the request and the response, keeps kind and codecs', async () => {
    const deserializer = (bytes: Uint8Array) => bytes;
    const handler: RpcMethodHandler = {
      requestStreaming: false,
      responseStreaming: false,
      requestDeserializer: deserializer,
      unaryUnary: (request: string) => `hello ${request}`,
    };
    const wrapped = wrapHandler(handler, upper);
    expect(wrapped.requestStreaming).toBe(false);
    expect(wrapped.responseStreaming).toBe(false);
    expect(wrapped.requestDeserializer).toBe(deserializer);
    const context = new FakeContext();
    expect(await wrapped.unaryUnary!('bob', context.asContext())).toBe('<hello BOB>');
  });

  it('A61 unary-stream: yielded and written responses both pass the hooks', async () => {
    const yielding = wrapHandler(
      {
        requestStreaming: false,
        responseStreaming: true,
        unaryStream: async function* (request: string) {
          yield `${request}1`;
          yield `${request}2`;
        },
      },
      upper,
    );
    expect(
      await collect(yielding.unaryStream!('a', new FakeContext().asContext()) as AsyncIterable<unknown>),
    ).toEqual(['<A1>', '<A2>']);
    const context = new FakeContext();
    const writing = wrapHandler(
      {
        requestStreaming: false,
        responseStreaming: true,
        unaryStream: async (request: string, ctx) => {
          await ctx.write(`${request}!`);
        },
      },
      upper,
    );
    expect(await collect(writing.unaryStream!('b', context.asContext()) as AsyncIterable<unknown>)).toEqual(
      [],
    );
    expect(context.written).toEqual(['<B!>']);
  });

  it('A61 stream-unary: iterated and read() requests both pass the hooks', async () => {
    const iterating = wrapHandler(
      {
        requestStreaming: true,
        responseStreaming: false,
        streamUnary: async (requests: AsyncIterable<string>) => {
          const seen: string[] = [];
          for await (const request of requests) seen.push(request);
          return seen.join(',');
        },
      },
      upper,
    );
    const first = new FakeContext(['x', 'y']);
    expect(await iterating.streamUnary!(first.requests(), first.asContext())).toBe('<X,Y>');
    const reading = wrapHandler(
      {
        requestStreaming: true,
        responseStreaming: false,
        streamUnary: async (_requests, ctx) => {
          const seen: unknown[] = [];
          for (let request = await ctx.read(); request !== EOF; request = await ctx.read())
            seen.push(request);
          return seen.join(',');
        },
      },
      upper,
    );
    const second = new FakeContext(['p', 'q']);
    expect(await reading.streamUnary!(second.requests(), second.asContext())).toBe('<P,Q>');
  });

  it('A61 stream-stream: maps every request and every response', async () => {
    const echo = wrapHandler(
      {
        requestStreaming: true,
        responseStreaming: true,
        streamStream: async function* (requests: AsyncIterable<string>) {
          for await (const request of requests) yield request;
        },
      },
      upper,
    );
    const context = new FakeContext(['m', 'n']);
    expect(
      await collect(echo.streamStream!(context.requests(), context.asContext()) as AsyncIterable<unknown>),
    ).toEqual(['<M>', '<N>']);
  });

  it('onStart, onFinish and onError see each RPC; onError may replace the error', async () => {
    const events: string[] = [];
    const hooks: HandlerHooks = {
      onStart: () => {
        events.push('start');
      },
      onFinish: (_context, error) => {
        events.push(error === undefined ? 'finish' : `finish ${(error as Error).message}`);
      },
      onError: (error) => {
        events.push(`error ${(error as Error).message}`);
        if ((error as Error).message === 'replace me') throw new Error('replaced');
      },
    };
    const ok = wrapHandler({ requestStreaming: false, responseStreaming: false, unaryUnary: () => 1 }, hooks);
    await ok.unaryUnary!(0, new FakeContext().asContext());
    const failing = wrapHandler(
      {
        requestStreaming: false,
        responseStreaming: true,
        unaryStream: async function* () {
          yield 1;
          throw new Error('replace me');
        },
      },
      hooks,
    );
    await expect(
      collect(failing.unaryStream!(0, new FakeContext().asContext()) as AsyncIterable<unknown>),
    ).rejects.toThrow('replaced');
    expect(events).toEqual(['start', 'finish', 'start', 'error replace me', 'finish replaced']);
  });

  it('a null handler passes through; the wrapped context keeps the rest of the context working', async () => {
    expect(wrapHandler(null, upper)).toBeNull();
    const context = new FakeContext();
    const aborting = wrapHandler(
      {
        requestStreaming: false,
        responseStreaming: false,
        unaryUnary: async (_request, ctx) => ctx.abort(StatusCode.NOT_FOUND, 'nope'),
      },
      upper,
    );
    await expect(aborting.unaryUnary!(0, context.asContext())).rejects.toBeInstanceOf(AbortError);
    expect(context.code()).toBe(StatusCode.NOT_FOUND);
  });
});
