// The client against servers that break the protocol (raw node:http2 and raw HTTP/2 frames on
// loopback): every call settles, with a clear status, at the latest at its deadline; nothing escapes
// as an uncaught exception (vitest fails a run that has one).

import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { gzipSync } from 'node:zlib';
import { credentials as grpcJsCredentials } from '@grpc/grpc-js';
import { StatusCode, statusCodeName } from '@grpc-aio/core';
import { AioRpcError } from '@grpc-aio/errors';
import { Metadata } from '@grpc-aio/metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { type ClientChannel, insecureChannel } from '../src/index.js';
import {
  GrpcJsChannelTransport,
  INVALID_STATUS_RECEIVED,
  RESPONSE_HANDLING_FAILED,
  type TransportStatus,
  UNDECOMPRESSIBLE_MESSAGE,
} from '../src/internal.js';
import { grpcFrame, type Hostile, hostileServer, type RawStream, rawHttp2Server } from './hostile-peers.js';

const GRPC = { ':status': 200, 'content-type': 'application/grpc' };
const open: { peer?: Hostile; channel?: ClientChannel }[] = [];

afterEach(async () => {
  for (const { peer, channel } of open.splice(0)) {
    await channel?.close();
    await peer?.close();
  }
});

/** Answers with `headers`, `data` (already framed), then `trailers` (none: the stream just ends). */
function answer(
  headers: Record<string, string | number>,
  data: Buffer[],
  trailers?: Record<string, string | string[]>,
): (stream: ServerHttp2Stream, requestHeaders: IncomingHttpHeaders) => void {
  return (stream) => {
    stream.respond(headers, { waitForTrailers: trailers !== undefined });
    if (trailers !== undefined) stream.on('wantTrailers', () => stream.sendTrailers(trailers));
    for (const chunk of data.slice(0, -1)) stream.write(chunk);
    stream.end(data.at(-1));
  };
}

interface Outcome {
  code: StatusCode;
  details: string;
  responses: string[];
  ms: number;
}

/** One unary call and one server-streaming call (timeout `timeout` s) to `address`. */
async function both(address: string, timeout = 5): Promise<{ unary: Outcome; stream: Outcome }> {
  const channel = insecureChannel(address);
  open.push({ channel });
  const run = async (streaming: boolean): Promise<Outcome> => {
    const started = performance.now();
    const responses: string[] = [];
    try {
      if (streaming) {
        for await (const response of channel.unaryStream('/hostile.S/M')(Buffer.from('q'), { timeout })) {
          responses.push(String(response));
        }
      } else {
        responses.push(String(await channel.unaryUnary('/hostile.S/M')(Buffer.from('q'), { timeout })));
      }
      return { code: StatusCode.OK, details: '', responses, ms: performance.now() - started };
    } catch (error) {
      if (!(error instanceof AioRpcError)) throw error;
      return {
        code: error.code(),
        details: error.details() ?? '',
        responses,
        ms: performance.now() - started,
      };
    }
  };
  return { unary: await run(false), stream: await run(true) };
}

async function against(
  respond: (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void,
  timeout?: number,
): Promise<{ unary: Outcome; stream: Outcome }> {
  const peer = await hostileServer(respond);
  open.push({ peer });
  return both(peer.address, timeout);
}

const statusOf = ({ unary, stream }: { unary: Outcome; stream: Outcome }) => [
  [unary.code, unary.details],
  [stream.code, stream.details],
];

describe('A68 a grpc-status that is not a status code ends the call with UNKNOWN, naming what came', () => {
  it('an unknown number (99), with its grpc-message', async () => {
    const outcome = await against(
      answer(GRPC, [grpcFrame('hi')], { 'grpc-status': '99', 'grpc-message': 'x' }),
    );
    const expected = [StatusCode.UNKNOWN, `${INVALID_STATUS_RECEIVED}: 99 (grpc-message: x)`];
    expect(statusOf(outcome)).toEqual([expected, expected]);
    expect(INVALID_STATUS_RECEIVED).toBe('Invalid grpc-status received from the server');
  });

  it('a value that is not a number ("abc"), or two values', async () => {
    for (const status of ['abc', ['0', '5']]) {
      const outcome = await against(answer(GRPC, [grpcFrame('hi')], { 'grpc-status': status }));
      const expected = [StatusCode.UNKNOWN, `${INVALID_STATUS_RECEIVED}: not one number`];
      expect(statusOf(outcome)).toEqual([expected, expected]);
    }
  });

  it('a negative number in a Trailers-Only response', async () => {
    const outcome = await against((stream) => {
      stream.respond({ ...GRPC, 'grpc-status': '-1' }, { endStream: true });
    });
    const expected = [StatusCode.UNKNOWN, `${INVALID_STATUS_RECEIVED}: -1`];
    expect(statusOf(outcome)).toEqual([expected, expected]);
  });
});

describe('malformed responses', () => {
  it('no trailers: INTERNAL', async () => {
    const outcome = await against(answer(GRPC, [grpcFrame('hi')]));
    const expected = [
      StatusCode.INTERNAL,
      'Received RST_STREAM with code 0 (Call ended without gRPC status)',
    ];
    expect(statusOf(outcome)).toEqual([expected, expected]);
  });

  it('HTTP 500 and 503: UNKNOWN and UNAVAILABLE (PROTOCOL-HTTP2 mapping)', async () => {
    const errorPage = await against((stream) => {
      stream.respond({ ':status': 500 });
      stream.end('oops');
    });
    expect(statusOf(errorPage)).toEqual([
      [StatusCode.UNKNOWN, 'Received HTTP status code 500'],
      [StatusCode.UNKNOWN, 'Received HTTP status code 500'],
    ]);
    const unavailable = await against((stream) => stream.respond({ ':status': 503 }, { endStream: true }));
    expect(statusOf(unavailable)).toEqual([
      [StatusCode.UNAVAILABLE, 'Received HTTP status code 503'],
      [StatusCode.UNAVAILABLE, 'Received HTTP status code 503'],
    ]);
  });

  it('a compressed flag without grpc-encoding: INTERNAL', async () => {
    const outcome = await against(answer(GRPC, [grpcFrame('hi', 1)], { 'grpc-status': '0' }));
    expect(statusOf(outcome)).toEqual([
      [StatusCode.INTERNAL, UNDECOMPRESSIBLE_MESSAGE],
      [StatusCode.INTERNAL, UNDECOMPRESSIBLE_MESSAGE],
    ]);
  });

  it('gzip that does not inflate: INTERNAL; real gzip: OK', async () => {
    const broken = await against(
      answer({ ...GRPC, 'grpc-encoding': 'gzip' }, [grpcFrame('not gzip', 1)], { 'grpc-status': '0' }),
    );
    const expected = [StatusCode.INTERNAL, 'Failed to decompress gzip-encoded message'];
    expect(statusOf(broken)).toEqual([expected, expected]);
    const fine = await against(
      answer({ ...GRPC, 'grpc-encoding': 'gzip' }, [grpcFrame(gzipSync('hi'), 1)], { 'grpc-status': '0' }),
    );
    expect([fine.unary.responses, fine.stream.responses]).toEqual([['hi'], ['hi']]);
  });

  it('a message over the receive limit: RESOURCE_EXHAUSTED', async () => {
    const outcome = await against(
      answer(GRPC, [grpcFrame(Buffer.alloc(5 * 1024 * 1024))], { 'grpc-status': '0' }),
    );
    const expected = [StatusCode.RESOURCE_EXHAUSTED, 'Received message larger than max (5242880 vs 4194304)'];
    expect(statusOf(outcome)).toEqual([expected, expected]);
  });

  it('silence after a message: DEADLINE_EXCEEDED at the deadline, with what arrived before', async () => {
    const outcome = await against((stream) => {
      stream.respond(GRPC);
      stream.write(grpcFrame('hi'));
    }, 0.5);
    expect([outcome.unary.code, outcome.stream.code]).toEqual([
      StatusCode.DEADLINE_EXCEEDED,
      StatusCode.DEADLINE_EXCEEDED,
    ]);
    expect(outcome.stream.responses).toEqual(['hi']);
    for (const { ms } of [outcome.unary, outcome.stream]) {
      expect(ms).toBeGreaterThanOrEqual(450);
      expect(ms).toBeLessThan(3000);
    }
  });
});

describe('frame orders node:http2 servers cannot produce (raw HTTP/2 frames)', () => {
  async function raw(script: (stream: RawStream) => void) {
    const peer = await rawHttp2Server(script);
    open.push({ peer });
    return both(peer.address, 1);
  }

  // Node's HTTP/2 client drops such a stream without an event grpc-js acts on (measured: grpc-js
  // sees no response, no trailers and no close), so the call ends at its deadline, not at once.
  it('DATA before HEADERS: nothing is delivered and the call settles at its deadline', async () => {
    const outcome = await raw((stream) => {
      stream.data(grpcFrame('early'));
      stream.headers([
        [':status', '200'],
        ['content-type', 'application/grpc'],
      ]);
      stream.headers([['grpc-status', '0']], true);
    });
    for (const result of [outcome.unary, outcome.stream]) {
      expect(result.code).toBe(StatusCode.DEADLINE_EXCEEDED);
      expect(result.responses).toEqual([]);
      expect(result.ms).toBeLessThan(5000);
    }
  });

  it('HEADERS after the trailers: the call keeps its status; the next call settles too', async () => {
    const outcome = await raw((stream) => {
      stream.headers([
        [':status', '200'],
        ['content-type', 'application/grpc'],
      ]);
      stream.data(grpcFrame('hi'));
      stream.headers([['grpc-status', '0']], true);
      stream.headers([['x-late', '1']], true);
    });
    expect([outcome.unary.code, outcome.unary.responses]).toEqual([StatusCode.OK, ['hi']]);
    expect(outcome.stream.code).not.toBe(StatusCode.DEADLINE_EXCEEDED);
    expect(statusOf(outcome)).toEqual([
      [StatusCode.OK, ''],
      [StatusCode.OK, ''],
    ]);
  });
});

describe('a listener that throws inside a grpc-js callback', () => {
  it('ends the call with INTERNAL naming the error; nothing is thrown out of grpc-js', async () => {
    const peer = await hostileServer(answer(GRPC, [grpcFrame('hi')], { 'grpc-status': '0' }));
    open.push({ peer });
    const transport = new GrpcJsChannelTransport(
      peer.address,
      grpcJsCredentials.createInsecure(),
      false,
      {},
      undefined,
    );
    try {
      const call = transport.createCall('/hostile.S/M', Date.now() + 5000, undefined);
      const statuses: TransportStatus[] = [];
      const ended = new Promise<void>((resolve) => {
        call.start(new Metadata(), {
          onTransportMetadata: () => {
            throw new Error('listener broke');
          },
          onTransportMessage: () => {},
          onTransportStatus: (status) => {
            statuses.push(status);
            resolve();
          },
        });
      });
      call.sendMessage(Buffer.from('q'), () => {});
      call.halfClose();
      call.startRead();
      await ended;
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(statuses.map((s) => [s.code, s.details])).toEqual([
        [StatusCode.INTERNAL, `${RESPONSE_HANDLING_FAILED}: Error: listener broke`],
      ]);
    } finally {
      transport.close();
    }
  });
});

describe('a burst of cancellations on one connection (Node HTTP/2 rapid-reset limit)', () => {
  it('calls in flight on a grpc-js server whose connection closes end UNAVAILABLE, never INTERNAL; the channel recovers', async () => {
    const grpc = await import('@grpc/grpc-js');
    const server = new grpc.Server();
    const identity = (value: Buffer) => value;
    server.addService(
      {
        Wait: {
          path: '/burst.S/Wait',
          requestStream: false,
          responseStream: false,
          requestSerialize: identity,
          requestDeserialize: identity,
          responseSerialize: identity,
          responseDeserialize: identity,
        },
      },
      {
        Wait: (call: { request: Buffer }, callback: (error: null, response: Buffer) => void) => {
          setTimeout(() => callback(null, Buffer.from('ok')), Number(String(call.request))).unref();
        },
      },
    );
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    const channel = insecureChannel(`127.0.0.1:${port}`);
    open.push({ channel });
    try {
      const wait = (ms: number) =>
        channel.unaryUnary('/burst.S/Wait')(Buffer.from(String(ms)), { timeout: 10 });
      await wait(1);
      const inFlight = Array.from({ length: 5 }, () =>
        wait(1500).then(
          () => 'OK',
          (error: AioRpcError) => statusCodeName(error.code()),
        ),
      );
      // 3,000 calls cancelled as soon as they started, on the same connection.
      for (let index = 0; index < 3000; index++) {
        const call = wait(10_000);
        call.catch(() => {});
        setImmediate(() => call.cancel());
        if (index % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      const outcomes = await Promise.all(inFlight);
      for (const outcome of outcomes) expect(['OK', 'UNAVAILABLE']).toContain(outcome);
      expect(String(await wait(1))).toBe('ok');
    } finally {
      server.forceShutdown();
    }
  });
});

describe('A11 repeated response metadata keys (Node joins them before grpc-js sees them)', () => {
  it('a text key sent twice arrives as one value "1, 2"; a -bin key sent twice as two values', async () => {
    const peer = await hostileServer((stream) => {
      stream.respond(
        {
          ...GRPC,
          'x-a': ['1', '2'],
          'x-b-bin': [Buffer.from([1]).toString('base64'), Buffer.from([2]).toString('base64')],
        },
        { waitForTrailers: true },
      );
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'x-t': ['3', '4'] }));
      stream.end(grpcFrame('hi'));
    });
    open.push({ peer });
    const channel = insecureChannel(peer.address);
    open.push({ channel });
    const call = channel.unaryUnary('/hostile.S/M')(Buffer.from('q'));
    await call;
    const initial = await call.initialMetadata();
    const trailing = await call.trailingMetadata();
    expect(initial.getAll('x-a')).toEqual(['1, 2']);
    expect(initial.getAll('x-b-bin').map((value) => [...(value as Uint8Array)])).toEqual([[1], [2]]);
    expect(trailing.getAll('x-t')).toEqual(['3, 4']);
  });
});
