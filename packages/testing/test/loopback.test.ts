import { type Server, StatusCode } from '@grpc-aio/core';
import { type AioRpcError, SERVER_NOT_READY, UsageError } from '@grpc-aio/errors';
import type { ServerInterceptor } from '@grpc-aio/interceptors/server';
import { methodHandlersGenericHandler, unaryUnaryRpcMethodHandler } from '@grpc-aio/server';
import { describe, expect, it } from 'vitest';
import { startLoopback, withServer } from '../src/loopback.js';

const encode = (text: string): Uint8Array => Buffer.from(text);
const decode = (bytes: Uint8Array): string => Buffer.from(bytes).toString();
const greeter = methodHandlersGenericHandler('test.Greeter', {
  Hello: unaryUnaryRpcMethodHandler((name: string) => `hello ${name}`, decode, encode),
});

describe('loopback server', () => {
  it('A78 withServer hands a connected channel and closes both after', async () => {
    let loopbackChannel: { getState(): number } | undefined;
    const reply = await withServer(greeter, async (channel) => {
      loopbackChannel = channel;
      return channel.unaryUnary('/test.Greeter/Hello', encode, decode)('ada');
    });
    expect(reply).toBe('hello ada');
    expect(loopbackChannel?.getState()).toBe(4); // SHUTDOWN
  });

  it('A78 await using: a servicer map, interceptors, and cleanup on scope exit', async () => {
    const deny: ServerInterceptor = {
      interceptService: async (continuation, details) =>
        details.invocationMetadata.has('token') ? continuation(details) : null,
    };
    let port = 0;
    let stopped: { server: Server; channel: { getState(): number } } | undefined;
    {
      await using loopback = await startLoopback(
        {
          'test.Greeter': {
            Hello: unaryUnaryRpcMethodHandler((name: string) => `hi ${name}`, decode, encode),
          },
        },
        { interceptors: [deny] },
      );
      port = loopback.port;
      stopped = loopback;
      expect(loopback.target).toBe(`127.0.0.1:${port}`);
      const hello = loopback.channel.unaryUnary('/test.Greeter/Hello', encode, decode);
      expect(await hello('x', { metadata: [['token', 't']] })).toBe('hi x');
      const error = await hello('x').then(
        () => undefined,
        (failure: unknown) => failure as AioRpcError,
      );
      expect(error?.code()).toBe(StatusCode.UNIMPLEMENTED);
    }
    expect(port).toBeGreaterThan(0);
    expect(stopped!.channel.getState()).toBe(4); // SHUTDOWN
    await expect(stopped!.server.start()).rejects.toThrow(new UsageError(SERVER_NOT_READY));
  });

  it('refuses options it does not take before starting anything, saying where server and channel options go', async () => {
    await expect(startLoopback(greeter, { compression: 2 } as never)).rejects.toThrow(
      new TypeError(
        "startLoopback() does not take the option 'compression' (for the server give server: { compression }, for the channel channel: { compression }); it takes 'interceptors', 'server', 'channel'.",
      ),
    );
    await expect(withServer(greeter, () => 1, { maximumConcurrentRpcs: 1 } as never)).rejects.toThrow(
      "withServer() does not take the option 'maximumConcurrentRpcs' (a server option goes in server: { maximumConcurrentRpcs })",
    );
    await expect(startLoopback(greeter, { server: { interceptors: [] } as never })).rejects.toThrow(
      new TypeError(
        'startLoopback() takes interceptors at the top level: { interceptors }, not in server: { interceptors }.',
      ),
    );
    // The nested options are server()'s and insecureChannel()'s, which refuse what they do not take.
    await expect(startLoopback(greeter, { server: { maxConcurrentRpcs: 1 } as never })).rejects.toThrow(
      "server() does not take the option 'maxConcurrentRpcs'",
    );
  });
});
