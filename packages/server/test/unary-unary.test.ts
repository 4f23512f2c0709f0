import { setTimeout as sleep } from 'node:timers/promises';
import * as grpc from '@grpc/grpc-js';
import { EOF, StatusCode } from '@grpc-aio/core';
import {
  ABORT_ALREADY_CALLED,
  AbortError,
  CancelledError,
  INITIAL_METADATA_ALREADY_SENT,
  LOCALLY_ABORTED,
  METHOD_NOT_FOUND,
  RPC_ALREADY_FINISHED,
  Status,
  UsageError,
} from '@grpc-aio/errors';
import { Metadata } from '@grpc-aio/metadata';
import { aborted, bytes, deferred, identity, newClient, text, unary } from '@grpc-aio/test-support';
import { describe, expect, it, vi } from 'vitest';
import type { ServicerContext } from '../src/index.js';
import {
  ABORT_WITH_OK,
  CANCELLED_BY_CLIENT,
  CANCELLED_BY_DEADLINE,
  INVALID_TRAILING_METADATA,
  methodHandlersGenericHandler,
  NO_REQUEST,
  SECOND_REQUEST,
  unaryUnaryRpcMethodHandler,
  WRITE_ON_UNARY_RESPONSE,
} from '../src/index.js';
import { startServer } from './helpers.js';

const PATH = '/test.Echo/Unary';

function echoService(behavior: Parameters<typeof unaryUnaryRpcMethodHandler<string, string>>[0]) {
  return methodHandlersGenericHandler('test.Echo', {
    Unary: unaryUnaryRpcMethodHandler(behavior, text, bytes),
  });
}

async function serve(behavior: Parameters<typeof unaryUnaryRpcMethodHandler<string, string>>[0]) {
  return startServer((srv) => srv.addGenericRpcHandlers([echoService(behavior)]));
}

describe('unary-unary', () => {
  it('A42 A72 serves a generic handler and ends with an empty OK status message', async () => {
    const { client } = await serve((request) => `echo ${request}`);
    const outcome = await unary(client, PATH, 'hi');
    expect(outcome.responses).toEqual(['echo hi']);
    expect(outcome.status.code).toBe(StatusCode.OK);
    expect(outcome.status.details).toBe('');
  });

  it('A72 without codecs requests arrive as Buffer and responses must be bytes', async () => {
    let seen: unknown;
    const { client } = await startServer((srv) =>
      srv.addGenericRpcHandlers([
        methodHandlersGenericHandler('test.Echo', {
          Unary: unaryUnaryRpcMethodHandler((request) => {
            seen = request;
            return new Uint8Array([104, 105]);
          }),
          Bad: unaryUnaryRpcMethodHandler(() => 'not bytes' as unknown as Uint8Array),
        }),
      ]),
    );
    expect((await unary(client, PATH, 'x')).responses).toEqual(['hi']);
    expect(Buffer.isBuffer(seen)).toBe(true);
    const bad = await unary(client, '/test.Echo/Bad', 'x');
    expect(bad.status.code).toBe(StatusCode.INTERNAL);
    expect(bad.status.details).toBe(
      'Failed to serialize response: A response must be a Uint8Array when its method handler has no responseSerializer, got string.',
    );
  });

  it('A43 registered method handlers are consulted before generic handlers', async () => {
    const { client } = await startServer((srv) => {
      srv.addGenericRpcHandlers([echoService(() => 'generic')]);
      srv.addRegisteredMethodHandlers('test.Echo', {
        Unary: unaryUnaryRpcMethodHandler(() => 'registered', text, bytes),
      });
    });
    expect((await unary(client, PATH, 'x')).responses).toEqual(['registered']);
  });

  it('A48 an unknown method gets UNIMPLEMENTED "Method not found!"', async () => {
    const { client } = await serve(() => 'x');
    const outcome = await unary(client, '/test.Echo/Nope', 'x');
    expect(outcome.status.code).toBe(StatusCode.UNIMPLEMENTED);
    expect(outcome.status.details).toBe(METHOD_NOT_FOUND);
  });

  it('A48 a catch-all generic handler computed per call serves any path', async () => {
    const { client } = await startServer((srv) =>
      srv.addGenericRpcHandlers([
        {
          service: (details) =>
            details.method.startsWith('/proxy.')
              ? unaryUnaryRpcMethodHandler(
                  (request: string, context) =>
                    `${details.method} ${request} ${context.invocationMetadata().get('x-who')}`,
                  text,
                  bytes,
                )
              : undefined,
        },
      ]),
    );
    const metadata = new grpc.Metadata();
    metadata.set('x-who', 'me');
    expect((await unary(client, '/proxy.Any/Thing', 'a', { metadata })).responses).toEqual([
      '/proxy.Any/Thing a me',
    ]);
    expect((await unary(client, '/proxy.Other/Method', 'b', { metadata })).responses).toEqual([
      '/proxy.Other/Method b me',
    ]);
    expect((await unary(client, '/elsewhere.S/M', 'c')).status.code).toBe(StatusCode.UNIMPLEMENTED);
  });

  it('A49 read() on a unary request gives EOF; write() on a unary response is a UsageError', async () => {
    const results: unknown[] = [];
    const { client } = await serve(async (_request, context) => {
      results.push(await context.read());
      await context.write('x').catch((error: unknown) => results.push(error));
      return 'ok';
    });
    expect((await unary(client, PATH, 'x')).responses).toEqual(['ok']);
    expect(results[0]).toBe(EOF);
    expect(results[1]).toBeInstanceOf(UsageError);
    expect((results[1] as Error).message).toBe(WRITE_ON_UNARY_RESPONSE);
  });

  it('A50 sendInitialMetadata sends once; a second time is a UsageError', async () => {
    let second: unknown;
    const { client } = await serve(async (_request, context) => {
      await context.sendInitialMetadata([['x-initial', 'yes']]);
      second = await context.sendInitialMetadata([['x-again', 'no']]).catch((error: unknown) => error);
      return 'ok';
    });
    const outcome = await unary(client, PATH, 'x');
    expect(outcome.initialMetadata?.get('x-initial')).toEqual(['yes']);
    expect(second).toBeInstanceOf(UsageError);
    expect((second as Error).message).toBe(INITIAL_METADATA_ALREADY_SENT);
  });

  it('A50 sendInitialMetadata validates its metadata (TypeError)', async () => {
    let error: unknown;
    const { client } = await serve(async (_request, context) => {
      error = await context.sendInitialMetadata([['Bad Key', 'x']]).catch((e: unknown) => e);
      return 'ok';
    });
    expect((await unary(client, PATH, 'x')).status.code).toBe(StatusCode.OK);
    expect(error).toBeInstanceOf(TypeError);
  });

  it('A51 abort sends the status now and throws AbortError("Locally aborted.")', async () => {
    let thrown: unknown;
    const { client } = await serve(async (_request, context) => {
      try {
        await context.abort(StatusCode.NOT_FOUND, 'no such thing', [['x-why', 'gone']]);
      } catch (error) {
        thrown = error;
        throw error;
      }
      return 'unreachable';
    });
    const outcome = await unary(client, PATH, 'x');
    expect(outcome.status.code).toBe(StatusCode.NOT_FOUND);
    expect(outcome.status.details).toBe('no such thing');
    expect(outcome.status.metadata.get('x-why')).toEqual(['gone']);
    expect(outcome.responses).toEqual([]);
    expect(thrown).toBeInstanceOf(AbortError);
    expect((thrown as Error).message).toBe(LOCALLY_ABORTED);
  });

  it('A51 empty details and trailers fall back to what was set earlier', async () => {
    const { client } = await serve(async (_request, context) => {
      context.setDetails('set earlier');
      context.setTrailingMetadata([['x-earlier', '1']]);
      return context.abort(StatusCode.PERMISSION_DENIED);
    });
    const outcome = await unary(client, PATH, 'x');
    expect(outcome.status.code).toBe(StatusCode.PERMISSION_DENIED);
    expect(outcome.status.details).toBe('set earlier');
    expect(outcome.status.metadata.get('x-earlier')).toEqual(['1']);
  });

  it('A8 A51 a second abort is a UsageError and a swallowed abort still sends the first status (test_replace_abort)', async () => {
    let second: unknown;
    const { client } = await serve(async (_request, context) => {
      await context.abort(StatusCode.ABORTED, 'first').catch(() => {});
      second = await context.abort(StatusCode.INTERNAL, 'second').catch((error: unknown) => error);
      return 'suppressed';
    });
    const outcome = await unary(client, PATH, 'x');
    expect(outcome.status.code).toBe(StatusCode.ABORTED);
    expect(outcome.status.details).toBe('first');
    expect(outcome.responses).toEqual([]);
    expect(second).toBeInstanceOf(UsageError);
    expect((second as Error).message).toBe(ABORT_ALREADY_CALLED);
  });

  it('A8 test_suppress_abort: a handler that swallows abort and throws still sends the abort status', async () => {
    const { client } = await serve(async (_request, context) => {
      try {
        await context.abort(StatusCode.FAILED_PRECONDITION, 'suppressed');
      } catch {
        throw new Error('later failure');
      }
      return 'x';
    });
    const outcome = await unary(client, PATH, 'x');
    expect(outcome.status.code).toBe(StatusCode.FAILED_PRECONDITION);
    expect(outcome.status.details).toBe('suppressed');
  });

  it('A52 abortWithStatus(status) aborts with its code, details and trailers', async () => {
    const { client } = await serve((_request, context) =>
      context.abortWithStatus(
        new Status(StatusCode.OUT_OF_RANGE, 'too far', [['x-status-bin', Buffer.from([1, 2])]]),
      ),
    );
    const outcome = await unary(client, PATH, 'x');
    expect(outcome.status.code).toBe(StatusCode.OUT_OF_RANGE);
    expect(outcome.status.details).toBe('too far');
    expect(outcome.status.metadata.get('x-status-bin')).toEqual([Buffer.from([1, 2])]);
  });

  it('A53 setTrailingMetadata is validated (TypeError) and read back', async () => {
    const seen: unknown[] = [];
    const { client } = await serve((_request, context) => {
      seen.push(context.trailingMetadata().size);
      context.setTrailingMetadata([['x-trailer', 'v']]);
      seen.push(context.trailingMetadata().get('x-trailer'));
      try {
        context.setTrailingMetadata([['x-number', 1 as unknown as string]]);
      } catch (error) {
        seen.push(error);
      }
      return 'ok';
    });
    const outcome = await unary(client, PATH, 'x');
    expect(outcome.status.metadata.get('x-trailer')).toEqual(['v']);
    expect(seen[0]).toBe(0);
    expect(seen[1]).toBe('v');
    expect(seen[2]).toBeInstanceOf(TypeError);
  });

  // tests_aio server_test _invalid_trailing_metadata: each of these is a TypeError from
  // set_trailing_metadata(), and abort() with invalid trailing metadata ends the RPC with UNKNOWN
  // whose details mention the trailing metadata.
  it('A53 A51 invalid trailing metadata: TypeErrors that say so; abort() with it ends with UNKNOWN (tests_aio invalid_trailing_metadata)', async () => {
    const errors: unknown[] = [];
    let second: unknown;
    const { client } = await serve(async (_request, context) => {
      for (const invalid of [42, {}, { error: 'error' }, [{ error: 'error' }], [['x-number', 1]]]) {
        try {
          context.setTrailingMetadata(invalid as never);
          errors.push('accepted');
        } catch (error) {
          errors.push(error);
        }
      }
      try {
        return await context.abort(StatusCode.DATA_LOSS, 'invalid abort', {
          error: ['error1', 'error2'],
        } as never);
      } finally {
        // As Python: the failed abort still counts.
        second = await context.abort(StatusCode.INTERNAL).catch((e: unknown) => e);
      }
    });
    const outcome = await unary(client, PATH, 'x');
    expect(errors.map((e) => (e instanceof TypeError ? e.message : e))).toEqual([
      'Invalid trailing metadata: Metadata must be a Metadata or an iterable of [key, value] pairs, got number.',
      'Invalid trailing metadata: Metadata must be a Metadata or an iterable of [key, value] pairs, got Object.',
      'Invalid trailing metadata: Metadata must be a Metadata or an iterable of [key, value] pairs, got Object.',
      'Invalid trailing metadata: Metadata entries must be [key, value] pairs, got Object.',
      'Invalid trailing metadata: Metadata value for key "x-number" must be a string, got number (only "-bin" keys carry bytes).',
    ]);
    expect(second).toEqual(new UsageError(ABORT_ALREADY_CALLED));
    expect(outcome.status.code).toBe(StatusCode.UNKNOWN);
    expect(outcome.status.details).toBe(
      'Unexpected TypeError: Invalid trailing metadata: Metadata must be a Metadata or an iterable of [key, value] pairs, got Object.',
    );
    expect(outcome.status.details).toContain(INVALID_TRAILING_METADATA);
  });

  // Python (python3-grpcio 1.51, checked) raises AssertionError "Expecting non-ok status code." and
  // then sends nothing: its client waits for the deadline. Here the same text is a UsageError, and
  // the handler's error ends the RPC at once.
  it('A51 abort(StatusCode.OK) is a UsageError "Expecting non-ok status code."; the RPC ends with UNKNOWN', async () => {
    let error: unknown;
    const { client } = await serve(async (_request, context) => {
      try {
        return await context.abort(StatusCode.OK, 'fine');
      } catch (e) {
        error = e;
        throw e;
      }
    });
    const outcome = await unary(client, PATH, 'x');
    expect(error).toEqual(new UsageError(ABORT_WITH_OK));
    expect(ABORT_WITH_OK).toBe('Expecting non-ok status code.');
    expect([outcome.status.code, outcome.status.details]).toEqual([
      StatusCode.UNKNOWN,
      'Unexpected UsageError: Expecting non-ok status code.',
    ]);
  });

  it('A54 invocationMetadata() has the client metadata', async () => {
    let metadata: Metadata | undefined;
    const { client } = await serve((_request, context) => {
      metadata = context.invocationMetadata();
      return 'ok';
    });
    const sent = new grpc.Metadata();
    sent.add('x-one', 'a');
    sent.add('x-two', 'b');
    sent.add('x-data-bin', Buffer.from([0, 255]));
    await unary(client, PATH, 'x', { metadata: sent });
    expect(metadata).toBeInstanceOf(Metadata);
    expect(metadata?.get('x-one')).toBe('a');
    expect(metadata?.get('x-two')).toBe('b');
    expect(metadata?.get('x-data-bin')).toEqual(Buffer.from([0, 255]));
  });

  it('A55 a handler that sets a non-OK code and returns sends that code and no response', async () => {
    const seen: unknown[] = [];
    const { client } = await serve((_request, context) => {
      seen.push(context.code(), context.details());
      context.setCode(StatusCode.INTERNAL);
      context.setDetails('without raise');
      seen.push(context.code(), context.details());
      return 'dropped';
    });
    const outcome = await unary(client, PATH, 'x');
    expect(outcome.status.code).toBe(StatusCode.INTERNAL);
    expect(outcome.status.details).toBe('without raise');
    expect(outcome.responses).toEqual([]);
    expect(seen).toEqual([undefined, '', StatusCode.INTERNAL, 'without raise']);
  });

  it('A55 setDetails with an OK code keeps the response and sends the details', async () => {
    const { client } = await serve((_request, context) => {
      context.setDetails('all good');
      return 'kept';
    });
    const outcome = await unary(client, PATH, 'x');
    expect(outcome.responses).toEqual(['kept']);
    expect(outcome.status.details).toBe('all good');
  });

  it('A56 a handler that throws gets UNKNOWN "Unexpected <Name>: <message>"', async () => {
    const { client } = await serve(() => {
      throw new RangeError('out of bounds');
    });
    const outcome = await unary(client, PATH, 'x');
    expect(outcome.status.code).toBe(StatusCode.UNKNOWN);
    expect(outcome.status.details).toBe('Unexpected RangeError: out of bounds');
  });

  it('A56 non-Error thrown values are rendered with their type', async () => {
    const values: unknown[] = ['boom', 42, null, undefined, { code: 1 }];
    let next = 0;
    const { client } = await serve(() => {
      throw values[next++];
    });
    const details: string[] = [];
    for (let index = 0; index < values.length; index++)
      details.push((await unary(client, PATH, 'x')).status.details);
    expect(details).toEqual([
      'Unexpected string: boom',
      'Unexpected number: 42',
      'Unexpected null: null',
      'Unexpected undefined: undefined',
      'Unexpected Object: {"code":1}',
    ]);
  });

  // Python (python3-grpcio 1.51, checked): DATA_LOSS "Unexpected <class 'ValueError'>: ignored".
  it('A56 a handler that throws after setting a non-OK code sends that code, with details naming what it threw', async () => {
    const { client } = await serve((_request, context) => {
      context.setCode(StatusCode.DATA_LOSS);
      context.setDetails('lost');
      throw new Error('ignored');
    });
    const outcome = await unary(client, PATH, 'x');
    expect(outcome.status.code).toBe(StatusCode.DATA_LOSS);
    expect(outcome.status.details).toBe('Unexpected Error: ignored');
  });

  it('A58 peer() names the client address like C-core ("ipv4:host:port")', async () => {
    let peer = '';
    const { client } = await serve((_request, context) => {
      peer = context.peer();
      return 'ok';
    });
    await unary(client, PATH, 'x');
    expect(peer).toMatch(/^ipv4:127\.0\.0\.1:\d+$/);
  });

  it('A58 an insecure call has no peer identity and an "insecure" auth context', async () => {
    let seen: unknown[] = [];
    const { client } = await serve((_request, context) => {
      seen = [context.peerIdentities(), context.peerIdentityKey(), context.authContext()];
      return 'ok';
    });
    await unary(client, PATH, 'x');
    expect(seen[0]).toBeUndefined();
    expect(seen[1]).toBeUndefined();
    const auth = seen[2] as Record<string, Uint8Array[]>;
    expect(
      Object.fromEntries(
        Object.entries(auth).map(([key, values]) => [key, values.map((v) => Buffer.from(v).toString())]),
      ),
    ).toEqual({
      transport_security_type: ['insecure'],
      security_level: ['TSI_SECURITY_NONE'],
    });
  });

  it('A59 timeRemaining() follows the deadline; undefined without one', async () => {
    const remaining: (number | undefined)[] = [];
    const { client } = await serve((_request, context) => {
      remaining.push(context.timeRemaining());
      return 'ok';
    });
    await unary(client, PATH, 'x', { timeout: 30 });
    await unary(client, PATH, 'x');
    expect(remaining[0]).toBeGreaterThan(25);
    expect(remaining[0]).toBeLessThanOrEqual(30);
    expect(remaining[1]).toBeUndefined();
  });

  it('A59 done(), cancelled() and addDoneCallback(cb) -> cb(context) after the RPC ends', async () => {
    const ended = deferred<ServicerContext>();
    const states: boolean[] = [];
    let late: ServicerContext | undefined;
    const { client } = await serve((_request, context) => {
      states.push(context.done(), context.cancelled());
      context.addDoneCallback((ctx) => {
        states.push(ctx.done());
        ended.resolve(ctx);
        ctx.addDoneCallback((again) => {
          late = again;
        });
      });
      return 'ok';
    });
    await unary(client, PATH, 'x');
    const context = await ended.promise;
    expect(states).toEqual([false, false, true]);
    expect(late).toBe(context);
    expect(context.cancelled()).toBe(false);
  });

  // Python (python3-grpcio 1.51, checked): the callbacks run in order, the first that raises is
  // logged "Error in callback for method [<path>]" with its traceback, and the rest do not run.
  it('A59 done callbacks stop at the first that throws, which is logged naming the method', async () => {
    const logged = deferred<unknown[]>();
    const error = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => logged.resolve(args));
    const ran: string[] = [];
    const broke = new Error('callback broke');
    try {
      const ended = deferred<ServicerContext>();
      const { client } = await serve((_request, context) => {
        context.addDoneCallback(() => ran.push('first'));
        context.addDoneCallback(() => {
          ran.push('second');
          throw broke;
        });
        context.addDoneCallback(() => ran.push('third'));
        context.addDoneCallback((ctx) => ended.resolve(ctx));
        return 'ok';
      });
      expect((await unary(client, PATH, 'x')).status.code).toBe(StatusCode.OK);
      expect(await logged.promise).toEqual([`Error in callback for method [${PATH}]`, broke]);
      expect(ran).toEqual(['first', 'second']);
      // A callback added after the end runs at once; its error is logged, never thrown at the caller.
      const late = new Error('late callback broke');
      const context = await Promise.race([ended.promise, sleep(200).then(() => undefined)]);
      expect(context).toBeUndefined();
      error.mockClear();
      const again = deferred<ServicerContext>();
      const { client: client2 } = await serve((_request, ctx) => {
        ctx.addDoneCallback((done) => again.resolve(done));
        return 'ok';
      });
      await unary(client2, PATH, 'x');
      const done = await again.promise;
      expect(() =>
        done.addDoneCallback(() => {
          throw late;
        }),
      ).not.toThrow();
      expect(error.mock.calls).toEqual([[`Error in callback for method [${PATH}]`, late]]);
    } finally {
      error.mockRestore();
    }
  });

  it('A7 operations after the RPC finished are UsageErrors "RPC already finished."', async () => {
    const ended = deferred<ServicerContext>();
    const { client } = await serve((_request, context) => {
      context.addDoneCallback((ctx) => ended.resolve(ctx));
      return 'ok';
    });
    await unary(client, PATH, 'x');
    const context = await ended.promise;
    const errors = await Promise.all([
      context.sendInitialMetadata([]).catch((e: unknown) => e),
      context.abort(StatusCode.INTERNAL).catch((e: unknown) => e),
    ]);
    for (const error of errors) {
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).toBe(RPC_ALREADY_FINISHED);
    }
  });

  it('A60 a client deadline interrupts the handler: signal aborts, the outcome is dropped', async () => {
    const interrupted = deferred<unknown>();
    const { client } = await serve(async (_request, context) => {
      await aborted(context.signal);
      interrupted.resolve(context.signal.reason);
      context.setCode(StatusCode.OK);
      return 'too late';
    });
    const outcome = await unary(client, PATH, 'x', { timeout: 0.2 });
    expect(outcome.status.code).toBe(StatusCode.DEADLINE_EXCEEDED);
    const reason = await interrupted.promise;
    expect(reason).toBeInstanceOf(CancelledError);
    // grpc-js resets the stream at its own deadline, which the server's copy of the deadline (a
    // little later: it starts when the request arrives) may or may not beat. Both are exact:
    // test/wire.test.ts pins the server's own deadline with a client that does not reset.
    expect([CANCELLED_BY_DEADLINE, CANCELLED_BY_CLIENT]).toContain((reason as Error).message);
  });

  it('A60 a client cancel interrupts the handler: cancelled() is true and done callbacks run', async () => {
    const started = deferred();
    const ended = deferred<boolean>();
    const { client } = await serve(async (_request, context) => {
      context.addDoneCallback((ctx) => ended.resolve(ctx.cancelled()));
      started.resolve();
      await aborted(context.signal);
      return 'dropped';
    });
    const outcome = unary(client, PATH, 'x', {
      onCall: (call) => {
        void started.promise.then(() => call.cancel());
      },
    });
    expect((await outcome).status.code).toBe(StatusCode.CANCELLED);
    expect(await ended.promise).toBe(true);
  });

  it('a request that fails to deserialize gets INTERNAL and the server keeps serving', async () => {
    const { client } = await startServer((srv) =>
      srv.addGenericRpcHandlers([
        methodHandlersGenericHandler('test.Echo', {
          Unary: unaryUnaryRpcMethodHandler(
            (request: string) => request,
            (raw) => {
              if (Buffer.from(raw).toString() === 'bad') throw new SyntaxError('not a message');
              return Buffer.from(raw).toString();
            },
            bytes,
          ),
        }),
      ]),
    );
    const bad = await unary(client, PATH, 'bad');
    expect(bad.status.code).toBe(StatusCode.INTERNAL);
    expect(bad.status.details).toBe('Failed to deserialize request: SyntaxError: not a message');
    expect((await unary(client, PATH, 'good')).responses).toEqual(['good']);
  });

  it('a unary method called with no request or two requests gets UNIMPLEMENTED (as Python sync server and grpc-js)', async () => {
    const { client } = await serve((request) => request);
    const none = await new Promise<grpc.StatusObject>((resolve) => {
      const call = client.makeClientStreamRequest(PATH, identity, identity, () => {});
      call.on('status', resolve);
      call.end();
    });
    expect(none.code).toBe(StatusCode.UNIMPLEMENTED);
    expect(none.details).toBe(NO_REQUEST);
    const two = await new Promise<grpc.StatusObject>((resolve) => {
      const call = client.makeClientStreamRequest(PATH, identity, identity, () => {});
      call.on('status', resolve);
      call.write(bytes('a'));
      call.write(bytes('b'));
      call.end();
    });
    expect(two.code).toBe(StatusCode.UNIMPLEMENTED);
    expect(two.details).toBe(SECOND_REQUEST);
  });

  it('requests compressed by the client (gzip) are decompressed', async () => {
    const { port } = await serve((request) => `got ${request}`);
    const client = newClient(port, grpc.credentials.createInsecure(), {
      'grpc.default_compression_algorithm': 2,
    });
    const outcome = await unary(client, PATH, 'x'.repeat(2000));
    expect(outcome.status.code).toBe(StatusCode.OK);
    expect(outcome.responses).toEqual([`got ${'x'.repeat(2000)}`]);
  });
});
