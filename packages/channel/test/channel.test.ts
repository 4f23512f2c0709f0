import * as net from 'node:net';
import { ChannelConnectivity, Compression, StatusCode } from '@grpc-aio/core';
import { AioRpcError, CancelledError, CHANNEL_CLOSED, UsageError } from '@grpc-aio/errors';
import { bytes, Methods, startGrpcJsServer, type TestServer, text } from '@grpc-aio/test-support';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };
import {
  ClientChannel,
  DEFAULT_MAX_SEND_METADATA_SIZE,
  INVALID_GRACE,
  insecureChannel,
  MAX_SEND_METADATA_ENTRY_SIZE,
  MAX_SEND_METADATA_SIZE_OPTION,
  USER_AGENT,
  VERSION,
} from '../src/index.js';
import { toGrpcJsChannelOptions } from '../src/options.js';

let server: TestServer;
const channels: ClientChannel[] = [];

beforeAll(async () => {
  server = await startGrpcJsServer();
});
afterAll(async () => {
  await server.close();
});
afterEach(async () => {
  await Promise.all(channels.splice(0).map((channel) => channel.close()));
});

function open(target = server.address, args?: Parameters<typeof insecureChannel>[1]): ClientChannel {
  const channel = insecureChannel(target, args);
  channels.push(channel);
  return channel;
}

/** A TCP listener that accepts connections and never says a word (a black hole for HTTP/2). */
async function silentListener(): Promise<{ address: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const listener = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as net.AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        listener.close(() => resolve());
      }),
  };
}

/** A TCP proxy to `port` counting the bytes the client sends. */
async function countingProxy(
  port: number,
): Promise<{ address: string; bytes(): number; close(): Promise<void> }> {
  let count = 0;
  const sockets = new Set<net.Socket>();
  const listener = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (chunk: Buffer) => {
      count += chunk.length;
    });
    client.pipe(upstream).pipe(client);
    for (const socket of [client, upstream]) {
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(listener.address() as net.AddressInfo).port}`,
    bytes: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        listener.close(() => resolve());
      }),
  };
}

describe('channel lifecycle', () => {
  it('A1 the user-agent names grpc-aio with the package version; options are converted', () => {
    expect(VERSION).toBe(packageJson.version);
    expect(USER_AGENT).toBe(`grpc-aio/${VERSION}`);
    expect(
      toGrpcJsChannelOptions([
        ['grpc.max_receive_message_length', 1024],
        ['grpc.primary_user_agent', 'my-app/1'],
        ['grpc.enable_retries', false],
      ]),
    ).toEqual({
      'grpc.max_receive_message_length': 1024,
      'grpc.primary_user_agent': `my-app/1 ${USER_AGENT}`,
      'grpc.enable_retries': 0,
    });
    expect(() => toGrpcJsChannelOptions([['key'] as never])).toThrow(
      new TypeError('Channel option must be a [key, value] pair with a string key, got key.'),
    );
    expect(() => insecureChannel('')).toThrow(new TypeError('The target must be a non-empty string.'));
  });

  it('A1 channel options reach grpc-js (max receive length enforced)', async () => {
    const channel = open(server.address, { options: [['grpc.max_receive_message_length', 4]] });
    const call = channel.unaryUnary(Methods.echo)(bytes('too long'));
    const error = await call.then(undefined, (reason: unknown) => reason);
    expect((error as AioRpcError).code()).toBe(StatusCode.RESOURCE_EXHAUSTED);
  });

  it('A1 channel-level compression and per-call compression (bytes on the wire)', async () => {
    const proxy = await countingProxy(server.port);
    try {
      const big = bytes('z'.repeat(20_000));
      const sent = async (channel: ClientChannel, options?: { compression: Compression }) => {
        const before = proxy.bytes();
        expect(text(await channel.unaryUnary(Methods.echo)(big, options))).toBe('z'.repeat(20_000));
        return proxy.bytes() - before;
      };
      const gzipChannel = open(proxy.address, { compression: Compression.Gzip });
      await gzipChannel.channelReady();
      expect(await sent(gzipChannel)).toBeLessThan(5_000);
      expect(await sent(gzipChannel, { compression: Compression.NoCompression })).toBeGreaterThan(20_000);
      const plainChannel = open(proxy.address);
      await plainChannel.channelReady();
      expect(await sent(plainChannel)).toBeGreaterThan(20_000);
      // The first call on a sibling channel also pays for its connection setup.
      await sent(plainChannel, { compression: Compression.Deflate });
      expect(await sent(plainChannel, { compression: Compression.Deflate })).toBeLessThan(5_000);
    } finally {
      await Promise.all(channels.splice(0).map((channel) => channel.close()));
      await proxy.close();
    }
    expect(() => open(server.address, { compression: 7 as never })).toThrow(
      new TypeError('Unknown compression value: 7.'),
    );
  });

  it('A37 close() without grace cancels active calls now; new RPCs fail at once; idempotent', async () => {
    const channel = open();
    const sleep = channel.unaryUnary(Methods.sleep);
    const started = server.observed.nextCall();
    const call = sleep(bytes('hang'));
    await started;
    const closing = channel.close();
    expect(() => sleep(bytes('1'))).toThrow(new UsageError(CHANNEL_CLOSED));
    await closing;
    await expect(call).rejects.toBeInstanceOf(CancelledError);
    expect(await call.code()).toBe(StatusCode.CANCELLED);
    await channel.close();
    expect(channel.getState()).toBe(ChannelConnectivity.SHUTDOWN);
  });

  it('A37 close(grace) lets calls finish within the grace', async () => {
    const channel = open();
    const sleep = channel.unaryUnary(Methods.sleep);
    const call = sleep(bytes('50'));
    await channel.close(5);
    expect(text(await call)).toBe('50');
  });

  it('A37 close(grace) cancels calls still running after the grace', async () => {
    const channel = open();
    const call = channel.unaryUnary(Methods.sleep)(bytes('hang'));
    const stream = channel.unaryStream(Methods.stream)(bytes(JSON.stringify({ count: 1, hang: true })));
    await stream.read();
    await channel.close(0.05);
    await expect(call).rejects.toBeInstanceOf(CancelledError);
    await expect(stream.read()).rejects.toBeInstanceOf(CancelledError);
  });

  it('A37 a later close() without grace cuts a graceful close short', async () => {
    const channel = open();
    const call = channel.unaryUnary(Methods.sleep)(bytes('hang'));
    const graceful = channel.close(60);
    await channel.close();
    await graceful;
    expect(await call.code()).toBe(StatusCode.CANCELLED);
  });

  it("A37 a negative grace is a RangeError with Python's text; a grace that is not a number a TypeError", async () => {
    const channel = open();
    await expect(channel.close(-1)).rejects.toThrow(new RangeError('grace must be non-negative, got -1.'));
    expect(INVALID_GRACE).toBe('grace must be non-negative');
    await expect(channel.close('1' as never)).rejects.toThrow(
      new TypeError('grace must be a number of seconds or null, got string.'),
    );
    expect(channel.getState()).not.toBe(ChannelConnectivity.SHUTDOWN);
  });

  it('A38 await using closes the channel on scope exit', async () => {
    let escaped: ClientChannel;
    {
      await using channel = insecureChannel(server.address);
      escaped = channel;
      expect(text(await channel.unaryUnary(Methods.echo)(bytes('in scope')))).toBe('in scope');
    }
    expect(escaped.getState()).toBe(ChannelConnectivity.SHUTDOWN);
  });

  it('A39 A40 A41 connectivity: IDLE, then READY via channelReady; SHUTDOWN after close', async () => {
    const channel = open();
    expect(channel.getState()).toBe(ChannelConnectivity.IDLE);
    // tryToConnect starts connecting; the state changes asynchronously.
    expect(channel.getState(true)).toBe(ChannelConnectivity.IDLE);
    await channel.waitForStateChange(ChannelConnectivity.IDLE);
    expect([ChannelConnectivity.CONNECTING, ChannelConnectivity.READY]).toContain(channel.getState());
    await channel.channelReady();
    expect(channel.getState()).toBe(ChannelConnectivity.READY);
    // Already different: resolves at once.
    await channel.waitForStateChange(ChannelConnectivity.IDLE);
    const change = channel.waitForStateChange(ChannelConnectivity.READY);
    await channel.close();
    await change;
    expect(channel.getState()).toBe(ChannelConnectivity.SHUTDOWN);
    await expect(channel.waitForStateChange(ChannelConnectivity.SHUTDOWN)).rejects.toThrow(
      new UsageError(CHANNEL_CLOSED),
    );
    await expect(channel.channelReady()).rejects.toThrow(new UsageError(CHANNEL_CLOSED));
  });

  it('A41 channelReady on a closed-while-waiting channel rejects with UsageError', async () => {
    const channel = open('127.0.0.1:1');
    const ready = channel.channelReady();
    await channel.waitForStateChange(ChannelConnectivity.IDLE);
    await channel.close();
    await expect(ready).rejects.toThrow(new UsageError(CHANNEL_CLOSED));
  });

  it('A40 a connection failure moves the state to TRANSIENT_FAILURE', async () => {
    const channel = open('127.0.0.1:1');
    let state = channel.getState(true);
    while (state !== ChannelConnectivity.TRANSIENT_FAILURE) {
      await channel.waitForStateChange(state);
      state = channel.getState();
    }
    expect(state).toBe(ChannelConnectivity.TRANSIENT_FAILURE);
  });
});

describe('bounded connects (grpc-node#2785)', () => {
  it('a black-holed address: channelReady with a signal and waitForConnection with a timeout do not hang', async () => {
    const hole = await silentListener();
    try {
      const channel = open(hole.address);
      const error = await channel
        .channelReady({ signal: AbortSignal.timeout(200) })
        .catch((reason: unknown) => reason);
      expect((error as Error).name).toBe('TimeoutError');
      expect(channel.getState()).toBe(ChannelConnectivity.CONNECTING);
      const call = channel.unaryUnary(Methods.echo)(bytes('x'), { timeout: 0.2, waitForReady: true });
      const failure = await call.waitForConnection().catch((reason: unknown) => reason);
      expect(failure).toBeInstanceOf(AioRpcError);
      expect((failure as AioRpcError).code()).toBe(StatusCode.DEADLINE_EXCEEDED);
      const change = await channel
        .waitForStateChange(ChannelConnectivity.CONNECTING, { signal: AbortSignal.timeout(50) })
        .catch((reason: unknown) => reason);
      expect((change as Error).name).toBe('TimeoutError');
      await expect(channel.channelReady({ signal: AbortSignal.abort(new Error('gave up')) })).rejects.toThrow(
        'gave up',
      );
    } finally {
      await hole.close();
    }
  });
});

describe('request metadata size', () => {
  it('A17 metadata over the send limit is a RangeError before anything is sent; the limit is an option', async () => {
    const channel = insecureChannel('127.0.0.1:1');
    const limited = insecureChannel('127.0.0.1:1', { options: [[MAX_SEND_METADATA_SIZE_OPTION, 100]] });
    const raised = insecureChannel('127.0.0.1:1', { options: [[MAX_SEND_METADATA_SIZE_OPTION, 1 << 20]] });
    try {
      expect(DEFAULT_MAX_SEND_METADATA_SIZE).toBe(128 * 1024);
      expect(MAX_SEND_METADATA_ENTRY_SIZE).toBe(65_536);
      // Three entries of 50,000 bytes: each fits in a header field, together they exceed 128 KiB.
      const many: [string, string][] = ['a', 'b', 'c'].map((key) => [key, 'x'.repeat(49_999)]);
      expect(() => channel.unaryUnary('/s/M')(new Uint8Array(), { metadata: many })).toThrow(
        'Request metadata of 150096 bytes exceeds the limit of 131072 bytes (channel option grpc-aio.max_send_metadata_size); HTTP/2 servers refuse such a header block.',
      );
      // One entry over what nghttp2 decodes in one field.
      const big: [string, string][] = [['big', 'x'.repeat(MAX_SEND_METADATA_ENTRY_SIZE)]];
      expect(() => channel.unaryUnary('/s/M')(new Uint8Array(), { metadata: big })).toThrow(
        'Request metadata entry "big" of 65539 bytes exceeds 65536 bytes, the most Node\'s HTTP/2 servers (nghttp2) decode in one header field: they would reset the stream. Set channel option grpc-aio.max_send_metadata_size for servers that take more.',
      );
      expect(() => channel.streamStream('/s/M')(null, { metadata: big })).toThrow(RangeError);
      // -bin values count as their base64 form: 60 bytes -> 80 characters, + 5 + 32.
      expect(() =>
        limited.unaryUnary('/s/M')(new Uint8Array(), { metadata: [['k-bin', new Uint8Array(60)]] }),
      ).toThrow('Request metadata of 117 bytes exceeds the limit of 100 bytes');
      const call = raised.unaryUnary('/s/M')(new Uint8Array(), { metadata: big, timeout: 0.01 });
      await expect(call).rejects.toBeInstanceOf(AioRpcError);
      expect(() =>
        insecureChannel('127.0.0.1:1', { options: [[MAX_SEND_METADATA_SIZE_OPTION, 'x']] }),
      ).toThrow('Channel option grpc-aio.max_send_metadata_size must be a number of bytes.');
    } finally {
      await Promise.all([channel.close(), limited.close(), raised.close()]);
    }
  });
});

describe('options a function does not take are refused, never ignored', () => {
  it("insecureChannel()/secureChannel() refuse unknown options, naming them (interceptors are grpc-aio's)", () => {
    expect(() => insecureChannel('127.0.0.1:1', { interceptors: [42] } as never)).toThrow(
      new TypeError(
        "insecureChannel() does not take the option 'interceptors' (@grpc-aio/channel has no interceptors: use grpc-aio's insecureChannel()/secureChannel(), or interceptChannel() from @grpc-aio/interceptors); it takes 'options', 'compression', 'telemetry'.",
      ),
    );
    expect(() => insecureChannel('127.0.0.1:1', { 'grpc.keepalive_time_ms': 1 } as never)).toThrow(
      "insecureChannel() does not take the option 'grpc.keepalive_time_ms' (a channel argument goes in options: [['grpc.keepalive_time_ms', value]])",
    );
    // A key whose value is undefined (an options object spread from elsewhere) is not an option.
    const channel = insecureChannel('127.0.0.1:1', { interceptors: undefined } as never);
    return channel.close();
  });

  it("a call refuses unknown options: deadline (nice-grpc's) is not timeout", async () => {
    const channel = insecureChannel('127.0.0.1:1');
    try {
      expect(() => channel.unaryUnary('/s/M')(new Uint8Array(), { deadline: new Date() } as never)).toThrow(
        new TypeError(
          "A call does not take the option 'deadline' (give timeout, in seconds); it takes 'timeout', 'metadata', 'credentials', 'waitForReady', 'compression', 'signal'.",
        ),
      );
      expect(() => channel.streamStream('/s/M')(null, { retries: 3 } as never)).toThrow(
        "A call does not take the option 'retries'",
      );
    } finally {
      await channel.close();
    }
  });

  it('a call refuses option values of the wrong type, naming the option', async () => {
    const channel = insecureChannel('127.0.0.1:1');
    try {
      expect(() => channel.unaryUnary('/s/M')(new Uint8Array(), { waitForReady: 'yes' } as never)).toThrow(
        new TypeError('Call option waitForReady must be a boolean, got string.'),
      );
      expect(() => channel.unaryStream('/s/M')(new Uint8Array(), { signal: 5000 } as never)).toThrow(
        new TypeError('Call option signal must be an AbortSignal, got number.'),
      );
      expect(() => channel.unaryUnary('/s/M')(new Uint8Array(), 5 as never)).toThrow(
        new TypeError("A call's options must be an object, got number."),
      );
    } finally {
      await channel.close();
    }
  });

  it('the multi-callable factories refuse options they do not take (call options go to the call)', async () => {
    const channel = insecureChannel('127.0.0.1:1');
    try {
      expect(() => channel.unaryUnary('/s/M', null, null, { timeout: 1 } as never)).toThrow(
        new TypeError(
          "unaryUnary() does not take the option 'timeout' (a call option goes to the call: callable(request, { ... })); it takes 'registeredMethod'.",
        ),
      );
      expect(() => channel.streamStream('/s/M', null, null, { cache: true } as never)).toThrow(
        "streamStream() does not take the option 'cache'",
      );
      channel.unaryStream('/s/M', null, null, { registeredMethod: true, timeout: undefined } as never);
    } finally {
      await channel.close();
    }
  });

  it('channelReady()/waitForStateChange() refuse options they do not take: a timeout is a signal', async () => {
    const channel = insecureChannel('127.0.0.1:1');
    try {
      await expect(channel.channelReady({ timeout: 1000 } as never)).rejects.toThrow(
        new TypeError(
          "channelReady() does not take the option 'timeout' (bound the wait with signal: AbortSignal.timeout(ms)); it takes 'signal'.",
        ),
      );
      await expect(
        channel.waitForStateChange(ChannelConnectivity.IDLE, { signal: 'soon' } as never),
      ).rejects.toThrow(
        new TypeError('waitForStateChange() option signal must be an AbortSignal, got string.'),
      );
    } finally {
      await channel.close();
    }
  });

  it('new ClientChannel() refuses options it does not take', async () => {
    const channel = insecureChannel('127.0.0.1:1');
    const transport = channel.transport;
    try {
      expect(() => new ClientChannel(transport, { maxMetadataSize: 1 } as never)).toThrow(
        new TypeError(
          "new ClientChannel() does not take the option 'maxMetadataSize'; it takes 'maxSendMetadataSize', 'telemetry'.",
        ),
      );
      expect(() => new ClientChannel(transport, { maxSendMetadataSize: '1kB' } as never)).toThrow(
        new TypeError('ClientChannel option maxSendMetadataSize must be a number of bytes, got 1kB.'),
      );
    } finally {
      await channel.close();
    }
  });
});
