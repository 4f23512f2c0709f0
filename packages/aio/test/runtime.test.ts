import { afterEach, describe, expect, it } from 'vitest';
import {
  ChannelConnectivity,
  initGrpcAio,
  insecureChannel,
  server,
  shutdownGrpcAio,
  UsageError,
} from '../src/index.js';
import { grpcAioInitialised } from '../src/runtime.js';

afterEach(() => shutdownGrpcAio());

describe('initGrpcAio / shutdownGrpcAio', () => {
  it('A5 init is idempotent; shutdown closes every channel and stops every server made through grpc-aio', async () => {
    initGrpcAio();
    initGrpcAio();
    expect(grpcAioInitialised()).toBe(true);
    const srv = server();
    await srv.addInsecurePort('127.0.0.1:0');
    await srv.start();
    const channel = insecureChannel('127.0.0.1:1');
    await shutdownGrpcAio();
    await shutdownGrpcAio();
    expect(grpcAioInitialised()).toBe(false);
    expect(channel.getState()).toBe(ChannelConnectivity.SHUTDOWN);
    expect(await srv.waitForTermination(0)).toBe(false);
    await expect(srv.start()).rejects.toThrow(UsageError);
  });
});

describe('insecureChannel with interceptors', () => {
  it('A1 A65 rejects a non-interceptor before creating anything', () => {
    expect(() => insecureChannel('127.0.0.1:1', { interceptors: [42 as never] })).toThrow(TypeError);
  });
});

describe('bounded waits through the umbrella', () => {
  it('A41 channelReady({signal}) gives up on an address that never answers, with interceptors too', {
    timeout: 5_000,
  }, async () => {
    const { createServer } = await import('node:net');
    // Accepts TCP connections and never speaks HTTP/2: the channel stays CONNECTING.
    const sockets = new Set<import('node:net').Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const passThrough = {
      interceptUnaryUnary: (continuation: any, details: any, request: any) => continuation(details, request),
    };
    const plain = insecureChannel(`127.0.0.1:${port}`);
    const intercepted = insecureChannel(`127.0.0.1:${port}`, { interceptors: [passThrough] });
    try {
      for (const channel of [plain, intercepted]) {
        const reason = new Error('gave up');
        const controller = new AbortController();
        const waiting = channel.channelReady({ signal: controller.signal });
        setTimeout(() => controller.abort(reason), 50);
        await expect(waiting).rejects.toBe(reason);
      }
    } finally {
      await Promise.all([plain.close(), intercepted.close()]);
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
