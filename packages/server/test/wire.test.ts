// The transport as a hostile or careless client sees it: raw HTTP/2 requests, well-formed or not,
// each answered with a clear status while the server keeps serving.
import { constants } from 'node:http2';
import { connect } from 'node:net';
import { createGzip, gzipSync } from 'node:zlib';
import { aborted, deferred } from '@grpc-aio/test-support';
import { describe, expect, it } from 'vitest';
import type { ServicerContext } from '../src/index.js';
import {
  CANCELLED_BY_CLIENT,
  CANCELLED_BY_DEADLINE,
  methodHandlersGenericHandler,
  NO_REQUEST,
  SECOND_REQUEST,
  streamUnaryRpcMethodHandler,
  unaryUnaryRpcMethodHandler,
} from '../src/index.js';
import { startServer } from './helpers.js';
import { frame, rawCall, rawSession, statusOf } from './raw-client.js';

const identity = (value: Uint8Array): Buffer => Buffer.from(value);

async function wireServer(options: Parameters<typeof startServer>[1] = {}) {
  const reasons: unknown[] = [];
  const interrupted = deferred<unknown>();
  const { port, srv } = await startServer(
    (s) =>
      s.addGenericRpcHandlers([
        methodHandlersGenericHandler('t.S', {
          M: unaryUnaryRpcMethodHandler((request: Buffer) => request, identity, identity),
          Count: streamUnaryRpcMethodHandler(
            async (requests: AsyncIterable<Buffer>) => {
              let count = 0;
              for await (const _ of requests) count++;
              return Buffer.from(String(count));
            },
            identity,
            identity,
          ),
          Meta: unaryUnaryRpcMethodHandler(
            (_request: Buffer, context: ServicerContext) =>
              Buffer.from(
                JSON.stringify(
                  [...context.invocationMetadata()].map(([key, value]) => [
                    key,
                    typeof value === 'string' ? value : `bytes:${Buffer.from(value).toString('hex')}`,
                  ]),
                ),
              ),
            identity,
            identity,
          ),
          Time: unaryUnaryRpcMethodHandler(
            (_request: Buffer, context: ServicerContext) => Buffer.from(String(context.timeRemaining())),
            identity,
            identity,
          ),
          Wait: unaryUnaryRpcMethodHandler(
            async (_request: Buffer, context: ServicerContext) => {
              await aborted(context.signal);
              reasons.push(context.signal.reason);
              interrupted.resolve(context.signal.reason);
              return Buffer.from('late');
            },
            identity,
            identity,
          ),
        }),
      ]),
    options,
  );
  const session = rawSession(port);
  /** A well-formed call still works on the same connection. */
  const stillServes = async (): Promise<void> => {
    const response = await rawCall(session, { body: [frame('ping')] });
    expect(statusOf(response)).toEqual({ status: '0', message: undefined });
    expect(response.messages.map((m) => m.payload.toString())).toEqual(['ping']);
  };
  return { port, srv, session, stillServes, interrupted: interrupted.promise };
}

describe('wire: what a request must be', () => {
  it('A1 other content types get HTTP 415 (gRPC-Web too); other methods and a missing te are INTERNAL as C-core; the server keeps serving', async () => {
    const { session, stillServes } = await wireServer();
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const response = await rawCall(session, { headers: { ':method': method }, end: true });
      expect([method, response.rawHeaders]).toEqual([
        method,
        [
          ':status',
          '200',
          'content-type',
          'application/grpc',
          'grpc-status',
          '13',
          'grpc-message',
          "Error parsing ':method' metadata",
        ],
      ]);
    }
    // Node's client sends no te other than "trailers"; without one:
    const noTe = await rawCall(session, { headers: { te: undefined }, body: [frame('x')] });
    expect(statusOf(noTe)).toEqual({ status: '13', message: "Error parsing 'te' metadata" });
    for (const type of [
      'text/plain',
      'application/grpc-web',
      'application/grpc-web+proto',
      'application/grpcx',
    ]) {
      const response = await rawCall(session, { headers: { 'content-type': type }, body: [frame('x')] });
      expect([type, response.headers[':status']]).toEqual([type, 415]);
      expect(response.headers['grpc-status']).toBeUndefined();
    }
    // A refused client that goes on sending is told to stop (the stream closes, never half-open).
    const open = await rawCall(session, {
      headers: { 'content-type': 'text/plain' },
      body: [frame('x')],
      end: false,
    });
    expect([open.headers[':status'], open.rstCode]).toEqual([415, constants.NGHTTP2_NO_ERROR]);
    const plus = await rawCall(session, {
      headers: { 'content-type': 'application/grpc+proto' },
      body: [frame('x')],
    });
    expect(statusOf(plus)).toEqual({ status: '0', message: undefined });
    await stillServes();
  });

  it('A1 unknown methods are UNIMPLEMENTED, Trailers-Only, with no date header', async () => {
    const { session } = await wireServer();
    const response = await rawCall(session, { path: '/t.S/Nope', body: [frame('x')] });
    expect(response.trailers).toBeUndefined();
    expect(response.rawHeaders).toEqual([
      ':status',
      '200',
      'content-type',
      'application/grpc',
      'grpc-status',
      '12',
      'grpc-message',
      'Method not found!',
    ]);
  });

  it('A1 a normal response: headers, one message, trailers; no date header', async () => {
    const { session } = await wireServer();
    const response = await rawCall(session, { body: [frame('hi')] });
    expect(response.rawHeaders).toEqual([
      ':status',
      '200',
      'content-type',
      'application/grpc',
      'grpc-accept-encoding',
      'identity, deflate, gzip',
    ]);
    expect(response.messages).toEqual([{ flag: 0, payload: Buffer.from('hi') }]);
    expect(response.trailers).toEqual(expect.objectContaining({ 'grpc-status': '0' }));
  });
});

describe('wire: grpc-timeout', () => {
  it('A23 is parsed strictly: a bad value fails the call, the server keeps serving', async () => {
    const { session, stillServes } = await wireServer();
    for (const timeout of ['-5S', '123456789S', '5', 'S', '5 S', '5s', '+5S', '1.5S', '']) {
      const response = await rawCall(session, { headers: { 'grpc-timeout': timeout }, body: [frame('x')] });
      expect([timeout, statusOf(response)]).toEqual([
        timeout,
        { status: '13', message: "Error parsing 'grpc-timeout' metadata" },
      ]);
    }
    await stillServes();
  });

  it('A23 every unit, and a 30-day deadline is 30 days (no 32-bit wrap)', async () => {
    const { session } = await wireServer();
    const remaining = async (timeout: string): Promise<number> => {
      const response = await rawCall(session, {
        path: '/t.S/Time',
        headers: { 'grpc-timeout': timeout },
        body: [frame('')],
      });
      return Number(response.messages[0]?.payload.toString());
    };
    expect(await remaining('720H')).toBeGreaterThan(30 * 86400 - 5);
    expect(await remaining('720H')).toBeLessThanOrEqual(30 * 86400);
    expect(await remaining('99999999H')).toBeGreaterThan(99999999 * 3600 - 5);
    expect(await remaining('43200M')).toBeGreaterThan(30 * 86400 - 5);
    expect(await remaining('2592000S')).toBeGreaterThan(30 * 86400 - 5);
    expect(await remaining('60000m')).toBeGreaterThan(55);
    expect(await remaining('60000000u')).toBeGreaterThan(55);
    expect(await remaining('99999999n')).toBeLessThanOrEqual(0.1);
  });

  it('A60 the server ends a call at its deadline: DEADLINE_EXCEEDED to the client, CANCELLED_BY_DEADLINE to the handler', async () => {
    const { session, interrupted } = await wireServer();
    const response = await rawCall(session, {
      path: '/t.S/Wait',
      headers: { 'grpc-timeout': '100m' },
      body: [frame('x')],
    });
    expect(statusOf(response)).toEqual({ status: '4', message: 'Deadline Exceeded' });
    expect(((await interrupted) as Error).message).toBe(CANCELLED_BY_DEADLINE);
  });

  it('A60 a client reset is a cancellation, whatever the deadline', async () => {
    const { session, interrupted } = await wireServer();
    const response = await rawCall(session, {
      path: '/t.S/Wait',
      headers: { 'grpc-timeout': '1S' },
      body: [frame('x')],
      onStream: (stream) => setTimeout(() => stream.close(constants.NGHTTP2_CANCEL), 50),
    });
    expect(response.rstCode).toBe(constants.NGHTTP2_CANCEL);
    expect(((await interrupted) as Error).message).toBe(CANCELLED_BY_CLIENT);
  });
});

describe('wire: messages', () => {
  it('A1 a compressed flag without grpc-encoding is INTERNAL; a flag of 2 is INTERNAL', async () => {
    const { session, stillServes } = await wireServer();
    const compressed = await rawCall(session, { body: [frame(gzipSync('x'), 1)] });
    expect(statusOf(compressed)).toEqual({
      status: '13',
      message: 'Received a compressed message but no grpc-encoding was given for the call',
    });
    const identityEncoding = await rawCall(session, {
      headers: { 'grpc-encoding': 'identity' },
      body: [frame(gzipSync('x'), 1)],
    });
    expect(statusOf(identityEncoding).status).toBe('13');
    const flag = await rawCall(session, { body: [frame('x', 2)] });
    expect(statusOf(flag)).toEqual({
      status: '13',
      message: 'Received a message with an invalid compressed flag (2)',
    });
    await stillServes();
  });

  it('A70 an unknown grpc-encoding is UNIMPLEMENTED and lists what the server accepts', async () => {
    const { session, stillServes } = await wireServer();
    const response = await rawCall(session, { headers: { 'grpc-encoding': 'br' }, body: [frame('x', 1)] });
    expect(statusOf(response)).toEqual({
      status: '12',
      message: "Compression algorithm 'br' is not supported.",
    });
    expect(response.headers['grpc-accept-encoding']).toBe('identity, deflate, gzip');
    await stillServes();
  });

  it('A70 an algorithm disabled by grpc.compression_enabled_algorithms_bitset is UNIMPLEMENTED', async () => {
    const { session, stillServes } = await wireServer({
      options: [['grpc.compression_enabled_algorithms_bitset', 0b011]],
    });
    const response = await rawCall(session, {
      headers: { 'grpc-encoding': 'gzip' },
      body: [frame(gzipSync('x'), 1)],
    });
    expect(statusOf(response)).toEqual({
      status: '12',
      message: "Compression algorithm 'gzip' is disabled.",
    });
    expect(response.headers['grpc-accept-encoding']).toBe('identity, deflate');
    const deflate = await rawCall(session, {
      headers: { 'grpc-encoding': 'deflate' },
      body: [frame((await import('node:zlib')).deflateSync('ok'), 1)],
    });
    expect(deflate.messages.map((m) => m.payload.toString())).toEqual(['ok']);
    await stillServes();
  });

  it('A1 a truncated last message is INTERNAL, never dropped', async () => {
    const { session, stillServes } = await wireServer();
    const whole = frame('0123456789');
    const unary = await rawCall(session, { body: [whole.subarray(0, 8)] });
    expect(statusOf(unary)).toEqual({
      status: '13',
      message: 'Received an incomplete message: the request stream ended inside it',
    });
    const stream = await rawCall(session, {
      path: '/t.S/Count',
      body: [frame('a'), frame('b'), whole.subarray(0, 3)],
    });
    expect(statusOf(stream).status).toBe('13');
    await stillServes();
  });

  it('A1 A24 a declared length over the limit is RESOURCE_EXHAUSTED before the body arrives', async () => {
    const { session, stillServes } = await wireServer();
    const header = Buffer.from([0, 0xff, 0xff, 0xff, 0xff]);
    const response = await rawCall(session, { body: [header], end: false });
    expect(statusOf(response)).toEqual({
      status: '8',
      message: 'Received message larger than max (4294967295 vs. 4194304)',
    });
    await stillServes();
  });

  it('A24 a gzip bomb stops at the receive limit (1 GiB of zeros, 1 MB on the wire)', async () => {
    const { session, stillServes } = await wireServer();
    const gzip = createGzip({ level: 9 });
    const parts: Buffer[] = [];
    gzip.on('data', (chunk: Buffer) => parts.push(chunk));
    const done = new Promise((resolve) => gzip.on('end', resolve));
    const zeros = Buffer.alloc(1 << 20);
    for (let index = 0; index < 1024; index++) gzip.write(zeros);
    gzip.end();
    await done;
    const bomb = Buffer.concat(parts);
    expect(bomb.length).toBeLessThan(4 << 20);
    const before = process.memoryUsage().rss;
    const response = await rawCall(session, { headers: { 'grpc-encoding': 'gzip' }, body: [frame(bomb, 1)] });
    expect(statusOf(response)).toEqual({
      status: '8',
      message: 'Received message larger than max (more than 4194305 vs. 4194304)',
    });
    expect(process.memoryUsage().rss - before).toBeLessThan(256 << 20);
    await stillServes();
  }, 20_000);

  it('A1 a unary method with zero or two requests is UNIMPLEMENTED', async () => {
    const { session, stillServes } = await wireServer();
    expect(statusOf(await rawCall(session, { body: [] }))).toEqual({ status: '12', message: NO_REQUEST });
    expect(statusOf(await rawCall(session, { body: [frame('a'), frame('b')] }))).toEqual({
      status: '12',
      message: SECOND_REQUEST,
    });
    await stillServes();
  });
});

describe('wire: metadata', () => {
  it('A15 repeated request keys stay separate values; -bin values decode with or without padding; reserved headers are not metadata', async () => {
    const { session } = await wireServer();
    const response = await rawCall(session, {
      path: '/t.S/Meta',
      headers: {
        'x-a': ['1', '2'],
        'x-b': 'one, two',
        'x-padded-bin': Buffer.from([1, 2, 3, 4]).toString('base64'),
        'x-unpadded-bin': Buffer.from([1, 2, 3, 4]).toString('base64').replace(/=+$/, ''),
        'grpc-timeout': '10S',
        'grpc-accept-encoding': 'gzip',
        'user-agent': 'raw-test/1.0',
      },
      body: [frame('')],
    });
    // The user agent first, as C-core hands it over; the rest in wire order.
    expect(JSON.parse(response.messages[0]?.payload.toString() ?? '[]')).toEqual([
      ['user-agent', 'raw-test/1.0'],
      ['x-a', '1'],
      ['x-a', '2'],
      ['x-b', 'one, two'],
      ['x-padded-bin', 'bytes:01020304'],
      ['x-unpadded-bin', 'bytes:01020304'],
    ]);
  });

  it('A15 a -bin value that is not base64 is INTERNAL, naming the key (C-core 1.84)', async () => {
    const { session, stillServes } = await wireServer();
    for (const value of ['!!!!', 'A', 'AB=C', 'a b']) {
      const response = await rawCall(session, { headers: { 'x-bad-bin': value }, body: [frame('x')] });
      expect([value, statusOf(response)]).toEqual([
        value,
        { status: '13', message: "Error parsing 'x-bad-bin' metadata: illegal base64 encoding" },
      ]);
    }
    await stillServes();
  });
});

describe('wire: not HTTP/2 at all', () => {
  it('A1 an HTTP/1.1 request or garbage on the port is disconnected; the server keeps serving', async () => {
    const { port, stillServes } = await wireServer();
    for (const bytes of [
      'GET / HTTP/1.1\r\nHost: x\r\n\r\n',
      '\u0016\u0003\u0001\u0000\u00a5\u0001\u0000\u0000',
      'x'.repeat(100),
    ]) {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => {});
      const closed = new Promise((resolve) => socket.once('close', resolve));
      socket.resume();
      socket.write(bytes);
      await closed;
    }
    await stillServes();
  });
});
