import { afterEach, describe, expect, it } from 'vitest';
import {
  ChannelConnectivity,
  type ClientCallDetails,
  initGrpcAio,
  insecureChannel,
  server,
  shutdownGrpcAio,
  UsageError,
} from '../src/index.js';
import { grpcAioInitialised, trackedCount } from '../src/runtime.js';

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
      interceptUnaryUnary: (
        continuation: (details: ClientCallDetails, request: unknown) => unknown,
        details: ClientCallDetails,
        request: unknown,
      ) => continuation(details, request),
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

describe("the channel's own errors through interceptors", () => {
  it('A7 A17 a closed channel, bad metadata and oversized metadata give the same errors with interceptors as without', async () => {
    const passThrough = {
      interceptUnaryUnary: (
        continuation: (details: ClientCallDetails, request: unknown) => unknown,
        details: ClientCallDetails,
        request: unknown,
      ) => continuation(details, request),
    };
    const intercepted = insecureChannel('127.0.0.1:1', { interceptors: [passThrough] });
    const unary = intercepted.unaryUnary('/s/M');
    // Invalid metadata is refused when the call is made, before any interceptor runs.
    expect(() => unary(new Uint8Array(), { metadata: [['Bad', 'x']] })).toThrow(TypeError);
    // The channel's own refusals surface unchanged when the chain reaches it.
    const oversized = unary(new Uint8Array(), { metadata: [['big', 'x'.repeat(70_000)]] });
    await expect(oversized).rejects.toThrow(RangeError);
    expect(await oversized.code()).toBe(2);
    await intercepted.close();
    const closed = unary(new Uint8Array());
    await expect(closed).rejects.toBeInstanceOf(UsageError);
    await expect(closed).rejects.toThrow('Channel is closed.');
    expect(await closed.details()).toBe('UsageError: Channel is closed.');
  });
});

describe('tracking for shutdownGrpcAio', () => {
  it('A5 channels that were closed and dropped are forgotten once collected (no growth)', {
    timeout: 15_000,
  }, async () => {
    const { setFlagsFromString } = await import('node:v8');
    const { runInNewContext } = await import('node:vm');
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    await shutdownGrpcAio();
    for (let index = 0; index < 50; index++) await insecureChannel('127.0.0.1:1').close();
    expect(trackedCount()).toBe(50);
    for (let attempt = 0; attempt < 50 && trackedCount() > 0; attempt++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(trackedCount()).toBe(0);
  });
});
