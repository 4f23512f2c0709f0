// biome-ignore-all lint/suspicious/noExplicitAny: the test service is defined at run time with JSON messages of any shape
// addAdminServicers() serves grpc-js admin handlers of every kind (unary, server streaming, client
// streaming, bidi) from a grpc-aio server, called by a raw @grpc/grpc-js client over loopback.
//
// grpc-js's admin registry (registerAdminService) is module state with no way to unregister. The
// test service is registered once, below, at module scope: vitest isolates test files (each gets its
// own module graph, so its own @grpc/grpc-js), which keeps it out of every other test file. Tests in
// this file may rely on it being there and nothing else of theirs being registered.

import type { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { StatusCode } from '@grpc-aio/core';
import {
  bidi,
  bytes,
  clientStream,
  deferred,
  type Outcome,
  serverStream,
  unary,
} from '@grpc-aio/test-support';
import { beforeEach, describe, expect, it } from 'vitest';
import { addAdminServicers } from '../src/admin.js';
import { startServer } from './helpers.js';

const SERVICE = 'grpcaio.test.AdminKinds';

/** What a test asks the handlers to do, sent as the (JSON) request. */
interface Request {
  text?: string;
  count?: number;
  /** Fail with this status: callback error (unary, client stream) or emit('error') (streams). */
  fail?: { code: number; details: string };
  /** destroy(error) instead of emit('error'). */
  destroy?: boolean;
  /** Throw from the handler. */
  throw?: boolean;
  /** Wait for the client to cancel. */
  wait?: boolean;
}

const toJson = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
const fromJson = (bytes: Buffer): any => JSON.parse(bytes.toString());

function method(
  name: string,
  requestStream: boolean,
  responseStream: boolean,
): grpc.MethodDefinition<any, any> {
  return {
    path: `/${SERVICE}/${name}`,
    requestStream,
    responseStream,
    requestSerialize: toJson,
    requestDeserialize: fromJson,
    responseSerialize: toJson,
    responseDeserialize: fromJson,
  };
}

const definition: grpc.ServiceDefinition = {
  Unary: method('Unary', false, false),
  ServerStream: method('ServerStream', false, true),
  ClientStream: method('ClientStream', true, false),
  Bidi: method('Bidi', true, true),
};

const path = (name: keyof typeof definition): string => `/${SERVICE}/${name}`;

/** What the handlers report back to the running test. */
let probe = newProbe();
function newProbe() {
  return {
    /** The handler is waiting for the client to cancel. */
    waiting: deferred(),
    /** `call.cancelled` when 'cancelled' was emitted, and the event's argument. */
    cancelled: deferred<{ flag: boolean; argument: unknown }>(),
    /** write() returned false at least once (server stream backpressure). */
    sawBackpressure: false,
  };
}

type SurfaceCall = EventEmitter & {
  cancelled: boolean;
  metadata: grpc.Metadata;
  getPeer(): string;
  getDeadline(): grpc.Deadline;
  getPath(): string;
  sendMetadata(metadata: grpc.Metadata): void;
};

function waitForCancel(call: SurfaceCall): void {
  call.on('cancelled', (argument: unknown) => probe.cancelled.resolve({ flag: call.cancelled, argument }));
  probe.waiting.resolve();
}

function statusError(fail: { code: number; details: string }): Error {
  return Object.assign(new Error('ignored: details win'), fail);
}

const implementation: grpc.UntypedServiceImplementation = {
  Unary(call: SurfaceCall & { request: Request }, callback: grpc.sendUnaryData<unknown>) {
    const { request } = call;
    if (request.throw) throw new Error('boom');
    if (request.fail) return callback(request.fail);
    if (request.wait) return waitForCancel(call);
    const initial = new grpc.Metadata();
    initial.set('x-initial', 'yes');
    call.sendMetadata(initial);
    const trailer = new grpc.Metadata();
    trailer.set('x-trailer', 'unary');
    const deadline = call.getDeadline();
    callback(
      null,
      {
        echo: request.text,
        path: call.getPath(),
        peer: call.getPeer(),
        header: call.metadata.get('x-test'),
        deadline: deadline instanceof Date ? 'date' : String(deadline),
        cancelled: call.cancelled,
      },
      trailer,
    );
  },

  ServerStream(call: grpc.ServerWritableStream<Request, unknown>) {
    const { request } = call;
    if (request.throw) throw new Error('boom');
    if (request.wait) {
      call.write({ index: 0 });
      return waitForCancel(call as unknown as SurfaceCall);
    }
    const count = request.count ?? 0;
    let index = 0;
    // Writes as grpc-js streams are meant to be written: stop when write() says so, go on at 'drain'.
    const pump = (): void => {
      while (index < count) {
        if (!call.write({ index: index++ })) {
          probe.sawBackpressure = true;
          call.once('drain', pump);
          return;
        }
      }
      if (request.fail) {
        const error = statusError(request.fail);
        if (request.destroy) call.destroy(error);
        else call.emit('error', error);
        return;
      }
      const trailer = new grpc.Metadata();
      trailer.set('x-trailer', 'stream');
      call.end(trailer);
    };
    pump();
  },

  ClientStream(call: grpc.ServerReadableStream<Request, unknown>, callback: grpc.sendUnaryData<unknown>) {
    const texts: (string | undefined)[] = [];
    let failed = false;
    call.on('data', (request: Request) => {
      if (failed) return;
      if (request.fail) {
        failed = true;
        if (request.destroy) call.destroy(statusError(request.fail));
        else callback(request.fail);
        return;
      }
      if (request.wait) return waitForCancel(call as unknown as SurfaceCall);
      texts.push(request.text);
    });
    call.on('end', () => {
      // Answers a turn later, as handlers that look things up do.
      if (!failed) setImmediate(() => callback(null, { texts, path: call.getPath() }));
    });
  },

  Bidi(call: grpc.ServerDuplexStream<Request, unknown>) {
    call.on('data', (request: Request) => {
      if (request.fail) {
        if (request.destroy) call.destroy(statusError(request.fail));
        else call.emit('error', request.fail);
        return;
      }
      if (request.wait) return waitForCancel(call as unknown as SurfaceCall);
      call.write({ echo: request.text });
    });
    call.on('end', () => call.end());
  },
};

grpc.experimental.registerAdminService(
  () => definition,
  () => implementation,
);

const serve = () => startServer((srv) => addAdminServicers(srv));
const json = (request: Request): string => JSON.stringify(request);
const parsed = (outcome: Outcome): unknown[] => outcome.responses.map((response) => JSON.parse(response));

describe('admin services of every kind (grpc-js handlers on a grpc-aio server)', () => {
  beforeEach(() => {
    probe = newProbe();
  });

  it('A79 addAdminServicers registers a streaming admin service next to channelz', async () => {
    const seen: string[] = [];
    await startServer((srv) => {
      const original = srv.addRegisteredMethodHandlers.bind(srv);
      srv.addRegisteredMethodHandlers = (name, handlers) => {
        seen.push(`${name}: ${Object.keys(handlers).join(',')}`);
        original(name, handlers);
      };
      addAdminServicers(srv);
    });
    expect(seen).toContain(`${SERVICE}: Unary,ServerStream,ClientStream,Bidi`);
    expect(seen.some((entry) => entry.startsWith('grpc.channelz.v1.Channelz:'))).toBe(true);
  });

  it('A79 unary: request, metadata, path, peer, deadline, sendMetadata and callback trailers', async () => {
    const { port, client } = await serve();
    const metadata = new grpc.Metadata();
    metadata.set('x-test', 'hello');
    const outcome = await unary(client, path('Unary'), json({ text: 'hi' }), { metadata, timeout: 30 });
    expect(outcome.status.code).toBe(StatusCode.OK);
    expect(parsed(outcome)).toEqual([
      {
        echo: 'hi',
        path: path('Unary'),
        peer: expect.stringMatching(/^ipv4:127\.0\.0\.1:\d+$/),
        header: ['hello'],
        deadline: 'date',
        cancelled: false,
      },
    ]);
    expect(port).toBeGreaterThan(0);
    expect(outcome.initialMetadata?.get('x-initial')).toEqual(['yes']);
    expect(outcome.status.metadata.get('x-trailer')).toEqual(['unary']);
    // Without a client deadline grpc-js reports Infinity.
    expect(parsed(await unary(client, path('Unary'), json({ text: 'no deadline' })))).toMatchObject([
      { deadline: 'Infinity' },
    ]);
  });

  it('A79 unary: a callback error is the status; a throwing handler gives UNKNOWN', async () => {
    const { client } = await serve();
    const failed = await unary(
      client,
      path('Unary'),
      json({ fail: { code: StatusCode.NOT_FOUND, details: 'no such thing' } }),
    );
    expect([failed.status.code, failed.status.details]).toEqual([StatusCode.NOT_FOUND, 'no such thing']);
    const thrown = await unary(client, path('Unary'), json({ throw: true }));
    expect(thrown.status.code).toBe(StatusCode.UNKNOWN);
    expect(thrown.status.details).toMatchInlineSnapshot(`"Unexpected Error: boom"`);
  });

  it('A79 unary: a client cancel reaches the handler (cancelled flag, "cancelled" event)', async () => {
    const { client } = await serve();
    const outcome = unary(client, path('Unary'), json({ wait: true }), {
      onCall: (call) => void probe.waiting.promise.then(() => call.cancel()),
    });
    expect(await probe.cancelled.promise).toEqual({ flag: true, argument: 'cancelled' });
    expect((await outcome).status.code).toBe(StatusCode.CANCELLED);
  });

  it('A79 server streaming: every response in order under backpressure, end(metadata) trailers', async () => {
    const { client } = await serve();
    const outcome = await serverStream(client, path('ServerStream'), json({ count: 200 }));
    expect(outcome.status.code).toBe(StatusCode.OK);
    expect(parsed(outcome)).toEqual(Array.from({ length: 200 }, (_, index) => ({ index })));
    expect(outcome.status.metadata.get('x-trailer')).toEqual(['stream']);
    expect(probe.sawBackpressure).toBe(true);
  });

  it('A79 server streaming: emit("error") ends with its status after the responses written before it', async () => {
    const { client } = await serve();
    const outcome = await serverStream(
      client,
      path('ServerStream'),
      json({ count: 3, fail: { code: StatusCode.FAILED_PRECONDITION, details: 'stream failed' } }),
    );
    expect(parsed(outcome)).toEqual([{ index: 0 }, { index: 1 }, { index: 2 }]);
    expect([outcome.status.code, outcome.status.details]).toEqual([
      StatusCode.FAILED_PRECONDITION,
      'stream failed',
    ]);
  });

  it('A79 server streaming: destroy(error) ends with its status; a throwing handler gives UNKNOWN', async () => {
    const { client } = await serve();
    const destroyed = await serverStream(
      client,
      path('ServerStream'),
      json({ count: 0, destroy: true, fail: { code: StatusCode.ABORTED, details: 'destroyed' } }),
    );
    expect([destroyed.status.code, destroyed.status.details]).toEqual([StatusCode.ABORTED, 'destroyed']);
    const thrown = await serverStream(client, path('ServerStream'), json({ throw: true }));
    expect([thrown.status.code, thrown.status.details]).toEqual([
      StatusCode.UNKNOWN,
      'Unexpected Error: boom',
    ]);
  });

  it('A79 server streaming: a client cancel reaches the handler', async () => {
    const { client } = await serve();
    const outcome = serverStream(client, path('ServerStream'), json({ wait: true }), {
      onCall: (call) => call.once('data', () => void probe.waiting.promise.then(() => call.cancel())),
    });
    expect(await probe.cancelled.promise).toEqual({ flag: true, argument: 'cancelled' });
    const { status, responses } = await outcome;
    expect(status.code).toBe(StatusCode.CANCELLED);
    expect(responses.map((response) => JSON.parse(response))).toEqual([{ index: 0 }]);
  });

  it('A79 client streaming: requests arrive in order as "data", then "end"; the callback answers', async () => {
    const { client } = await serve();
    const texts = Array.from({ length: 100 }, (_, index) => `m${index}`);
    const outcome = await clientStream(
      client,
      path('ClientStream'),
      texts.map((value) => json({ text: value })),
    );
    expect(outcome.status.code).toBe(StatusCode.OK);
    expect(parsed(outcome)).toEqual([{ texts, path: path('ClientStream') }]);
  });

  it('A79 client streaming: a callback error or destroy(error) is the status', async () => {
    const { client } = await serve();
    const failed = await clientStream(client, path('ClientStream'), [
      json({ text: 'a' }),
      json({ fail: { code: StatusCode.OUT_OF_RANGE, details: 'too many' } }),
    ]);
    expect([failed.status.code, failed.status.details]).toEqual([StatusCode.OUT_OF_RANGE, 'too many']);
    const destroyed = await clientStream(client, path('ClientStream'), [
      json({ destroy: true, fail: { code: StatusCode.DATA_LOSS, details: 'gone' } }),
    ]);
    expect([destroyed.status.code, destroyed.status.details]).toEqual([StatusCode.DATA_LOSS, 'gone']);
  });

  it('A79 client streaming: a client cancel reaches the handler', async () => {
    const { client } = await serve();
    const outcome = clientStream(client, path('ClientStream'), [json({ wait: true })], {
      end: false,
      onCall: (call) => void probe.waiting.promise.then(() => call.cancel()),
    });
    expect(await probe.cancelled.promise).toEqual({ flag: true, argument: 'cancelled' });
    expect((await outcome).status.code).toBe(StatusCode.CANCELLED);
  });

  it('A79 bidi: a response per request as they come, end() after the client half-closes', async () => {
    const { client } = await serve();
    const { call, outcome, next } = bidi(client, path('Bidi'));
    call.write(bytes(json({ text: 'one' })));
    expect(JSON.parse(await next())).toEqual({ echo: 'one' });
    call.write(bytes(json({ text: 'two' })));
    expect(JSON.parse(await next())).toEqual({ echo: 'two' });
    call.end();
    const result = await outcome;
    expect(result.status.code).toBe(StatusCode.OK);
    expect(parsed(result)).toEqual([{ echo: 'one' }, { echo: 'two' }]);
  });

  it('A79 bidi: emit("error") with { code, details } and destroy(error) are the status', async () => {
    const { client } = await serve();
    for (const destroy of [false, true]) {
      const { call, outcome, next } = bidi(client, path('Bidi'));
      call.write(bytes(json({ text: 'before' })));
      expect(JSON.parse(await next())).toEqual({ echo: 'before' });
      call.write(
        bytes(json({ destroy, fail: { code: StatusCode.INVALID_ARGUMENT, details: `bad ${destroy}` } })),
      );
      const { status } = await outcome;
      expect([status.code, status.details]).toEqual([StatusCode.INVALID_ARGUMENT, `bad ${destroy}`]);
    }
  });

  it('A79 bidi: a client cancel reaches the handler', async () => {
    const { client } = await serve();
    const { call, outcome } = bidi(client, path('Bidi'));
    call.write(bytes(json({ wait: true })));
    await probe.waiting.promise;
    call.cancel();
    expect(await probe.cancelled.promise).toEqual({ flag: true, argument: 'cancelled' });
    expect((await outcome).status.code).toBe(StatusCode.CANCELLED);
  });
});
