// Faults: dead peers, unreachable addresses, deadlines, graceful stop under load, size limits,
// malformed input, bad metadata and the concurrency limit. Nothing hangs; every error is clear.
import net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { insecureChannel } from '@grpc-aio/channel';
import { EOF, type ServicerContext, StatusCode } from '@grpc-aio/core';
import { AioRpcError, CancelledError, CONCURRENT_RPC_LIMIT } from '@grpc-aio/errors';
import {
  CANCELLED_BY_CLIENT,
  CANCELLED_BY_SERVER_STOP,
  methodHandlersGenericHandler,
  server,
  streamStreamRpcMethodHandler,
  streamUnaryRpcMethodHandler,
  unaryStreamRpcMethodHandler,
  unaryUnaryRpcMethodHandler,
} from '@grpc-aio/server';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  killAllPeers,
  type Peer,
  pythonUnavailable,
  runPython,
  startGrpcJsStreamClient,
  startGrpcJsStreamServer,
} from '../src/processes.js';
import { protos } from '../src/proto.js';
import { addTestService } from '../src/test-service.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => killAllPeers());
const noPython = pythonUnavailable();

async function caught(promise: PromiseLike<unknown>): Promise<AioRpcError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AioRpcError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

function fastReconnect() {
  return {
    options: [
      ['grpc.initial_reconnect_backoff_ms', 100],
      ['grpc.max_reconnect_backoff_ms', 300],
    ] as [string, number][],
  };
}

/** A port nothing listens on (bound then released). */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('a server process killed mid-stream', () => {
  let peer: Peer | undefined;
  afterAll(async () => {
    await peer?.kill();
  });

  it('A25 A32 the stream fails UNAVAILABLE promptly and the channel reconnects to a new server on the same port', async () => {
    peer = await startGrpcJsStreamServer();
    const { port } = peer;
    const channel = insecureChannel(`127.0.0.1:${port}`, fastReconnect());
    cleanups.push(() => channel.close());
    const ticks = channel.unaryStream('/fault.Stream/Ticks')(Buffer.from([1]));
    expect(await ticks.read()).toEqual(Buffer.from([0]));
    const killedAt = performance.now();
    await peer.kill();
    let error: unknown;
    try {
      while ((await ticks.read()) !== EOF);
    } catch (e) {
      error = e;
    }
    expect(performance.now() - killedAt).toBeLessThan(2000);
    expect(error).toBeInstanceOf(AioRpcError);
    expect((error as AioRpcError).code()).toBe(StatusCode.UNAVAILABLE);
    // Nothing listens now: a call fails fast with UNAVAILABLE.
    expect(
      (await caught(channel.unaryUnary('/fault.Stream/Echo')(Buffer.from('x'), { timeout: 5 }))).code(),
    ).toBe(StatusCode.UNAVAILABLE);
    peer = await startGrpcJsStreamServer(port);
    const reply = await channel.unaryUnary('/fault.Stream/Echo')(Buffer.from('back'), {
      timeout: 5,
      waitForReady: true,
    });
    expect(reply).toEqual(Buffer.from('back'));
  });
});

describe('a client process killed mid-stream', () => {
  let peer: Peer | undefined;
  afterAll(async () => {
    await peer?.kill();
  });

  it('A60 the server handler is interrupted promptly (signal aborts with CANCELLED_BY_CLIENT) and the server keeps serving', async () => {
    let reason: unknown;
    let ended!: () => void;
    const handlerEnded = new Promise<void>((resolve) => {
      ended = resolve;
    });
    const srv = server();
    srv.addGenericRpcHandlers([
      methodHandlersGenericHandler('t.K', {
        Hold: streamStreamRpcMethodHandler(
          async (_requests: AsyncIterable<Buffer>, context: ServicerContext) => {
            try {
              const first = await context.read();
              await context.write(first as Buffer);
              await new Promise((_resolve, reject) => {
                context.signal.addEventListener('abort', () => reject(context.signal.reason), { once: true });
              });
            } catch (error) {
              reason = error;
              throw error;
            } finally {
              ended();
            }
          },
        ),
        Echo: unaryUnaryRpcMethodHandler(async (req: Buffer) => req),
      }),
    ]);
    const port = await srv.addInsecurePort('127.0.0.1:0');
    await srv.start();
    cleanups.push(() => srv.stop(null));
    peer = await startGrpcJsStreamClient(port, '/t.K/Hold');
    const killedAt = performance.now();
    await peer.kill();
    await handlerEnded;
    expect(performance.now() - killedAt).toBeLessThan(2000);
    expect(reason).toBeInstanceOf(CancelledError);
    expect((reason as Error).message).toBe(CANCELLED_BY_CLIENT);
    const channel = insecureChannel(`127.0.0.1:${port}`);
    cleanups.push(() => channel.close());
    expect(await channel.unaryUnary('/t.K/Echo')(Buffer.from('ok'), { timeout: 5 })).toEqual(
      Buffer.from('ok'),
    );
  });
});

describe('unreachable addresses: bounded waits, clear codes', () => {
  it('A24 connection refused: UNAVAILABLE well before the deadline', async () => {
    const channel = insecureChannel(`127.0.0.1:${await freePort()}`);
    cleanups.push(() => channel.close());
    const started = performance.now();
    const error = await caught(channel.unaryUnary('/x.Y/Z')(Buffer.alloc(0), { timeout: 5 }));
    expect(error.code()).toBe(StatusCode.UNAVAILABLE);
    expect(error.details()).toMatch(/ECONNREFUSED|connect|No connection established/i);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('A32 connection refused with waitForReady: waits for the deadline, then DEADLINE_EXCEEDED', async () => {
    const channel = insecureChannel(`127.0.0.1:${await freePort()}`);
    cleanups.push(() => channel.close());
    const started = performance.now();
    const error = await caught(
      channel.unaryUnary('/x.Y/Z')(Buffer.alloc(0), { timeout: 0.3, waitForReady: true }),
    );
    expect(error.code()).toBe(StatusCode.DEADLINE_EXCEEDED);
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('A32 A41 black-holed address (accepts TCP, never speaks): the deadline bounds the call and channelReady takes a signal', async () => {
    const sockets = new Set<net.Socket>();
    const hole = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => hole.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          hole.close(() => resolve());
        }),
    );
    const channel = insecureChannel(`127.0.0.1:${(hole.address() as net.AddressInfo).port}`);
    cleanups.push(() => channel.close());
    const started = performance.now();
    const error = await caught(channel.unaryUnary('/x.Y/Z')(Buffer.alloc(0), { timeout: 0.3 }));
    expect(error.code()).toBe(StatusCode.DEADLINE_EXCEEDED);
    expect(performance.now() - started).toBeLessThan(2000);
    await expect(channel.channelReady({ signal: AbortSignal.timeout(200) })).rejects.toThrow(
      /timeout|abort/i,
    );
  });

  it('A24 a name that does not resolve (.invalid): UNAVAILABLE naming the name, well before the deadline', async () => {
    const channel = insecureChannel('grpc-aio-interop.invalid:50051');
    cleanups.push(() => channel.close());
    const started = performance.now();
    const error = await caught(channel.unaryUnary('/x.Y/Z')(Buffer.alloc(0), { timeout: 10 }));
    expect(error.code()).toBe(StatusCode.UNAVAILABLE);
    expect(error.details()).toContain('grpc-aio-interop.invalid');
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe('deadlines propagate', () => {
  it('A59 the handler sees the remaining time of the client (grpc-aio and grpc-js clients)', async () => {
    const seen: (number | undefined)[] = [];
    const srv = server();
    srv.addGenericRpcHandlers([
      methodHandlersGenericHandler('t.D', {
        Remaining: unaryUnaryRpcMethodHandler(async (_req: Buffer, context: ServicerContext) => {
          seen.push(context.timeRemaining());
          return Buffer.alloc(0);
        }),
      }),
    ]);
    const port = await srv.addInsecurePort('127.0.0.1:0');
    await srv.start();
    cleanups.push(() => srv.stop(null));
    const channel = insecureChannel(`127.0.0.1:${port}`);
    cleanups.push(() => channel.close());
    await channel.unaryUnary('/t.D/Remaining')(Buffer.alloc(0), { timeout: 3 });
    await channel.unaryUnary('/t.D/Remaining')(Buffer.alloc(0));
    const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    cleanups.push(() => client.close());
    await new Promise<void>((resolve, reject) =>
      client.makeUnaryRequest(
        '/t.D/Remaining',
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.alloc(0),
        new grpc.Metadata(),
        { deadline: Date.now() + 7000 },
        (error) => (error ? reject(error) : resolve()),
      ),
    );
    expect(seen[0]).toBeGreaterThan(2);
    expect(seen[0]).toBeLessThanOrEqual(3);
    expect(seen[1]).toBeUndefined();
    expect(seen[2]).toBeGreaterThan(6);
    expect(seen[2]).toBeLessThanOrEqual(7);
  });
});

/**
 * A server with one blocking method per call kind (t.G/UU, US, SU, SS). A call whose first request
 * byte is 1 finishes once `release()` is called; 0 blocks until the server cuts it off.
 */
async function gracefulServer(expected: number) {
  let running = 0;
  let entered = 0;
  let allEntered!: () => void;
  const allIn = new Promise<void>((resolve) => {
    allEntered = resolve;
  });
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  // First request byte 1: finish once released (inside the grace); 0: block until cut off.
  const wait = async (finish: boolean, context: ServicerContext) => {
    if (++entered === expected) allEntered();
    if (finish) return released;
    return new Promise<void>((_resolve, reject) => {
      context.signal.addEventListener('abort', () => reject(context.signal.reason), { once: true });
    });
  };
  const tracked =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      running++;
      try {
        return await fn(...args);
      } finally {
        running--;
      }
    };
  const srv = server();
  srv.addGenericRpcHandlers([
    methodHandlersGenericHandler('t.G', {
      UU: unaryUnaryRpcMethodHandler(
        tracked(async (req: Buffer, context: ServicerContext) => {
          await wait(req[0] === 1, context);
          return req;
        }),
      ),
      US: unaryStreamRpcMethodHandler(
        tracked(async (req: Buffer, context: ServicerContext) => {
          await context.write(req);
          await wait(req[0] === 1, context);
        }),
      ),
      SU: streamUnaryRpcMethodHandler(
        tracked(async (_requests: AsyncIterable<Buffer>, context: ServicerContext) => {
          const first = (await context.read()) as Buffer;
          await wait(first[0] === 1, context);
          return first;
        }),
      ),
      SS: streamStreamRpcMethodHandler(
        tracked(async (_requests: AsyncIterable<Buffer>, context: ServicerContext) => {
          const first = (await context.read()) as Buffer;
          await context.write(first);
          await wait(first[0] === 1, context);
        }),
      ),
    }),
  ]);
  const port = await srv.addInsecurePort('127.0.0.1:0');
  await srv.start();
  cleanups.push(() => srv.stop(null));
  return { srv, port, allIn, release, running: () => running };
}

describe('graceful stop with 200 in-flight calls of every kind', () => {
  it('A46 each call completes or ends UNAVAILABLE/CANCELLED; no handler left running; no unhandled rejection', async () => {
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    cleanups.push(() => process.off('unhandledRejection', unhandled));
    const { srv, port, allIn, release, running } = await gracefulServer(200);
    const channel = insecureChannel(`127.0.0.1:${port}`);
    cleanups.push(() => channel.close());
    type Outcome = { finish: boolean; code: StatusCode };
    const outcomes: Promise<Outcome>[] = [];
    for (let i = 0; i < 50; i++) {
      const finish = i % 2 === 0;
      const req = Buffer.from([finish ? 1 : 0]);
      const settle = async (call: { code(): Promise<StatusCode> }, done: Promise<unknown>) => {
        await done.catch(() => undefined);
        return { finish, code: await call.code() };
      };
      const uu = channel.unaryUnary('/t.G/UU')(req, { timeout: 20 });
      outcomes.push(settle(uu, Promise.resolve(uu)));
      const us = channel.unaryStream('/t.G/US')(req, { timeout: 20 });
      outcomes.push(
        settle(
          us,
          (async () => {
            for await (const _ of us);
          })(),
        ),
      );
      const su = channel.streamUnary('/t.G/SU')([req], { timeout: 20 });
      outcomes.push(settle(su, Promise.resolve(su)));
      const ss = channel.streamStream('/t.G/SS')([req], { timeout: 20 });
      outcomes.push(
        settle(
          ss,
          (async () => {
            for await (const _ of ss);
          })(),
        ),
      );
    }
    await allIn;
    expect(running()).toBe(200);
    const stopped = srv.stop(0.3);
    release();
    await stopped;
    expect(running()).toBe(0);
    const results = await Promise.all(outcomes);
    const finished = results.filter((r) => r.finish);
    const cut = results.filter((r) => !r.finish);
    expect(finished.map((r) => r.code)).toEqual(Array(100).fill(StatusCode.OK));
    expect(cut.filter((r) => r.code !== StatusCode.UNAVAILABLE && r.code !== StatusCode.CANCELLED)).toEqual(
      [],
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(unhandled).not.toHaveBeenCalled();
  });
});

describe.skipIf(noPython)(
  `graceful stop with a Python grpc.aio client${noPython ? ` (skipped: ${noPython})` : ''}`,
  () => {
    it('A46 80 in-flight calls from another process: finished ones OK, cut-off ones UNAVAILABLE/CANCELLED, nothing unhandled on either side', async () => {
      const unhandled = vi.fn();
      process.on('unhandledRejection', unhandled);
      cleanups.push(() => process.off('unhandledRejection', unhandled));
      const { srv, port, allIn, release, running } = await gracefulServer(80);
      const python = runPython(['client.py', String(port), 'hold', '20'], 30_000);
      await allIn;
      const stopped = srv.stop(0.3);
      release();
      await stopped;
      expect(running()).toBe(0);
      const { stdout, stderr } = await python;
      const results = JSON.parse(stdout) as [boolean, string][];
      expect(results.length).toBe(80);
      expect(results.filter(([finish]) => finish).map(([, code]) => code)).toEqual(Array(40).fill('OK'));
      const cut = new Set(results.filter(([finish]) => !finish).map(([, code]) => code));
      expect([...cut].filter((code) => code !== 'UNAVAILABLE' && code !== 'CANCELLED')).toEqual([]);
      // Python reports unretrieved task exceptions and other trouble on stderr.
      expect(stderr).toBe('');
      expect(unhandled).not.toHaveBeenCalled();
    });
  },
);

describe('graceful stop and flow control', () => {
  it('A46 A60 a handler blocked in write() by a client that stopped reading is cut off at the grace', async () => {
    let writes = 0;
    let endedWith: unknown;
    const srv = server();
    srv.addGenericRpcHandlers([
      methodHandlersGenericHandler('t.B', {
        Flood: unaryStreamRpcMethodHandler(async (_req: Buffer, context: ServicerContext) => {
          try {
            // Bounded: flow control stops it long before (a paused client reads nothing).
            for (let i = 0; i < 10_000; i++) {
              await context.write(Buffer.alloc(64 * 1024));
              writes++;
            }
          } catch (error) {
            endedWith = error;
            throw error;
          }
        }),
      }),
    ]);
    const port = await srv.addInsecurePort('127.0.0.1:0');
    await srv.start();
    cleanups.push(() => srv.stop(null));
    const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    cleanups.push(() => client.close());
    const call = client.makeServerStreamRequest(
      '/t.B/Flood',
      (b: Buffer) => b,
      (b: Buffer) => b,
      Buffer.alloc(0),
    );
    let got = 0;
    const paused = new Promise<void>((resolve) =>
      call.on('data', () => {
        if (++got === 3) {
          call.pause();
          resolve();
        }
      }),
    );
    const status = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
    call.on('error', () => undefined);
    await paused;
    // Wait until the server is blocked: the write count stops growing.
    let last = -1;
    for (let i = 0; i < 100 && writes !== last; i++) {
      last = writes;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(writes).toBeLessThan(10_000);
    const started = performance.now();
    await srv.stop(0.2);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(endedWith).toBeInstanceOf(CancelledError);
    expect((endedWith as Error).message).toBe(CANCELLED_BY_SERVER_STOP);
    call.resume();
    expect([grpc.status.CANCELLED, grpc.status.UNAVAILABLE]).toContain((await status).code);
  });
});

describe('size limits and malformed input', () => {
  async function echoServer(options: [string, number][] = []) {
    let received = 0;
    const srv = server({ options });
    addTestService(srv);
    srv.addGenericRpcHandlers([
      methodHandlersGenericHandler('t.E', {
        Echo: unaryUnaryRpcMethodHandler(async (req: Buffer) => {
          received++;
          return req;
        }),
        Big: unaryUnaryRpcMethodHandler(async (req: Buffer) => Buffer.alloc(req.readUInt32BE(0))),
      }),
    ]);
    const port = await srv.addInsecurePort('127.0.0.1:0');
    await srv.start();
    cleanups.push(() => srv.stop(null));
    return { port, received: () => received };
  }

  it('A3 a request over the server limit: RESOURCE_EXHAUSTED, and the server keeps serving', async () => {
    const { port } = await echoServer([['grpc.max_receive_message_length', 1024]]);
    const channel = insecureChannel(`127.0.0.1:${port}`);
    cleanups.push(() => channel.close());
    const echo = channel.unaryUnary('/t.E/Echo');
    const error = await caught(echo(Buffer.alloc(2048), { timeout: 5 }));
    expect(error.code()).toBe(StatusCode.RESOURCE_EXHAUSTED);
    expect(await echo(Buffer.alloc(10), { timeout: 5 })).toEqual(Buffer.alloc(10));
  });

  it('A1 a response over the client limit, and a request over the client send limit: RESOURCE_EXHAUSTED', async () => {
    const { port, received } = await echoServer();
    const channel = insecureChannel(`127.0.0.1:${port}`, {
      options: [
        ['grpc.max_receive_message_length', 1024],
        ['grpc.max_send_message_length', 1024],
      ],
    });
    cleanups.push(() => channel.close());
    const size = Buffer.alloc(4);
    size.writeUInt32BE(4096);
    const error = await caught(channel.unaryUnary('/t.E/Big')(size, { timeout: 5 }));
    expect(error.code()).toBe(StatusCode.RESOURCE_EXHAUSTED);
    expect(error.details()).toMatch(/larger than max/i);
    const sendError = await caught(channel.unaryUnary('/t.E/Echo')(Buffer.alloc(2048), { timeout: 5 }));
    expect(sendError.code()).toBe(StatusCode.RESOURCE_EXHAUSTED);
    expect(received()).toBe(0);
  });

  it('A72 malformed protobuf: INTERNAL naming the failure, and the server keeps serving', async () => {
    const { port } = await echoServer();
    const channel = insecureChannel(`127.0.0.1:${port}`);
    cleanups.push(() => channel.close());
    const raw = channel.unaryUnary('/grpc.testing.TestService/UnaryCall');
    const error = await caught(raw(Buffer.from([0x1a, 0xff, 0xff, 0xff, 0x0f]), { timeout: 5 }));
    expect(error.code()).toBe(StatusCode.INTERNAL);
    expect(error.details()).toMatch(/^Failed to deserialize request: /);
    // A good request still works.
    const reply = protos
      .message('grpc.testing.SimpleResponse')
      .deserialize(await raw(Buffer.from([0x10, 0x03]), { timeout: 5 }));
    expect(reply).toEqual({ payload: { type: 0, body: Buffer.alloc(3) } });
  });

  it('A17 invalid metadata from the user: TypeError from the multi-callable, nothing sent', async () => {
    const { port, received } = await echoServer();
    const channel = insecureChannel(`127.0.0.1:${port}`);
    cleanups.push(() => channel.close());
    const echo = channel.unaryUnary('/t.E/Echo');
    expect(() => echo(Buffer.alloc(1), { metadata: [['Bad-Key', 'v']] })).toThrow(TypeError);
    expect(() => echo(Buffer.alloc(1), { metadata: [['k', 'line\nbreak']] })).toThrow(TypeError);
    expect(() => echo(Buffer.alloc(1), { metadata: [['k-bin', 'not bytes']] })).toThrow(TypeError);
    expect(() => echo(Buffer.alloc(1), { metadata: [['k', Buffer.from('x')]] as never })).toThrow(TypeError);
    expect(() => channel.streamStream('/t.E/Echo')(undefined, { metadata: [['', 'v']] })).toThrow(TypeError);
    await echo(Buffer.alloc(1), { timeout: 5 });
    expect(received()).toBe(1);
  });

  // Node's HTTP/2 server refuses a header field over 64 KiB (HPACK-encoded) with a bare RST_STREAM
  // COMPRESSION_ERROR (9), which grpc-js reports as INTERNAL "Received RST_STREAM with code 9". The
  // channel therefore refuses a request metadata entry over 65,536 bytes (and metadata over
  // grpc-aio.max_send_metadata_size, 128 KiB by default) before sending, with a message that says
  // why; with the option raised past Node's limit, the server's refusal is what the caller gets.
  it('A17 oversized metadata: a clear RangeError before sending, and the channel keeps working', async () => {
    const { port, received } = await echoServer();
    const channel = insecureChannel(`127.0.0.1:${port}`);
    const unlimited = insecureChannel(`127.0.0.1:${port}`, {
      options: [['grpc-aio.max_send_metadata_size', 1 << 20]],
    });
    cleanups.push(
      () => channel.close(),
      () => unlimited.close(),
    );
    const metadata: [string, string][] = [['big', 'x'.repeat(100 * 1024)]];
    expect(() => channel.unaryUnary('/t.E/Echo')(Buffer.alloc(1), { timeout: 5, metadata })).toThrow(
      /^Request metadata entry "big" of 102403 bytes exceeds 65536 bytes, the most Node's HTTP\/2 servers \(nghttp2\) decode in one header field/,
    );
    const started = performance.now();
    const error = await caught(unlimited.unaryUnary('/t.E/Echo')(Buffer.alloc(1), { timeout: 5, metadata }));
    expect(performance.now() - started).toBeLessThan(2000);
    expect([error.code(), error.details()]).toEqual([StatusCode.INTERNAL, 'Received RST_STREAM with code 9']);
    expect(received()).toBe(0);
    expect(await channel.unaryUnary('/t.E/Echo')(Buffer.alloc(1), { timeout: 5 })).toEqual(Buffer.alloc(1));
  });

  // Measured (grpc-js client, Node 20): Node's HTTP/2 servers take at least 147 KiB of encoded
  // request headers in all; the channel's default limit (128 KiB) lets such metadata through.
  it('A17 metadata just under the default limit, in many entries, reaches our server whole', async () => {
    const { port } = await echoServer();
    const channel = insecureChannel(`127.0.0.1:${port}`);
    cleanups.push(() => channel.close());
    // 8 entries of 16,000 bytes: 8 * (5 + 16,000 + 32) = 128,296 bytes, under 131,072.
    const metadata: [string, string][] = Array.from({ length: 8 }, (_, index) => [
      `x-m${index}`,
      `${index}`.repeat(16_000),
    ]);
    const call = channel.unaryUnary('/t.E/Echo')(Buffer.alloc(1), { timeout: 5, metadata });
    expect(await call).toEqual(Buffer.alloc(1));
  });
});

describe('maximumConcurrentRpcs under 2x load', () => {
  it('A48 the excess gets RESOURCE_EXHAUSTED, the rest succeed', async () => {
    const limit = 20;
    let running = 0;
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let full!: () => void;
    const isFull = new Promise<void>((resolve) => {
      full = resolve;
    });
    const srv = server({ maximumConcurrentRpcs: limit });
    srv.addGenericRpcHandlers([
      methodHandlersGenericHandler('t.C', {
        Hold: unaryUnaryRpcMethodHandler(async (req: Buffer) => {
          if (++running === limit) full();
          await released;
          return req;
        }),
      }),
    ]);
    const port = await srv.addInsecurePort('127.0.0.1:0');
    await srv.start();
    cleanups.push(() => srv.stop(null));
    const channel = insecureChannel(`127.0.0.1:${port}`);
    cleanups.push(() => channel.close());
    const hold = channel.unaryUnary('/t.C/Hold');
    const first = Array.from({ length: limit }, (_, i) => hold(Buffer.from([i]), { timeout: 10 }));
    await isFull;
    const excess = Array.from({ length: limit }, (_, i) => caught(hold(Buffer.from([i]), { timeout: 10 })));
    const errors = await Promise.all(excess);
    expect(new Set(errors.map((e) => `${e.code()} ${e.details()}`))).toEqual(
      new Set([`${StatusCode.RESOURCE_EXHAUSTED} ${CONCURRENT_RPC_LIMIT}`]),
    );
    release();
    expect(await Promise.all(first)).toEqual(Array.from({ length: limit }, (_, i) => Buffer.from([i])));
  });
});
