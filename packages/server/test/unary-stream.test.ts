import { StatusCode } from '@grpc-aio/core';
import {
  AbortError,
  CancelledError,
  LOCALLY_ABORTED,
  RPC_ALREADY_FINISHED,
  UsageError,
} from '@grpc-aio/errors';
import { aborted, bytes, deferred, serverStream, text } from '@grpc-aio/test-support';
import { describe, expect, it } from 'vitest';
import type { ServicerContext } from '../src/index.js';
import { methodHandlersGenericHandler, unaryStreamRpcMethodHandler } from '../src/index.js';
import { startServer } from './helpers.js';

const PATH = '/test.Stream/Items';
type Behavior = Parameters<typeof unaryStreamRpcMethodHandler<string, string>>[0];

async function serve(behavior: Behavior) {
  return startServer((srv) =>
    srv.addGenericRpcHandlers([
      methodHandlersGenericHandler('test.Stream', {
        Items: unaryStreamRpcMethodHandler(behavior, text, bytes),
      }),
    ]),
  );
}

describe('unary-stream', () => {
  it('A61 an async generator handler streams what it yields', async () => {
    const { client } = await serve(async function* (request) {
      for (let index = 0; index < 3; index++) yield `${request}${index}`;
    });
    const outcome = await serverStream(client, PATH, 'r');
    expect(outcome.responses).toEqual(['r0', 'r1', 'r2']);
    expect(outcome.status.code).toBe(StatusCode.OK);
    expect(outcome.status.details).toBe('');
  });

  it('A61 a handler returning a sync iterable streams it', async () => {
    const { client } = await serve((request) => [request, request.toUpperCase()]);
    expect((await serverStream(client, PATH, 'ab')).responses).toEqual(['ab', 'AB']);
  });

  it('A49 A61 a handler may write with context.write() and return nothing', async () => {
    const { client } = await serve(async (request, context) => {
      await context.write(`${request}-1`);
      await context.write(`${request}-2`);
    });
    const outcome = await serverStream(client, PATH, 'w');
    expect(outcome.responses).toEqual(['w-1', 'w-2']);
    expect(outcome.status.code).toBe(StatusCode.OK);
  });

  it('A49 write() sends initial metadata first; sendInitialMetadata after it is a UsageError', async () => {
    let error: unknown;
    const { client } = await serve(async (_request, context) => {
      await context.write('one');
      error = await context.sendInitialMetadata([['x-late', '1']]).catch((e: unknown) => e);
    });
    const outcome = await serverStream(client, PATH, 'x');
    expect(outcome.responses).toEqual(['one']);
    expect(error).toBeInstanceOf(UsageError);
  });

  // Python's grpc.aio sends what a handler yields through context.write() too, so both mix, in the
  // order the handler produced them (checked with python3-grpcio 1.51: w1, y1, w2, y2).
  it('A61 yield and context.write() mix, in the order the handler produced them (tests_aio unary_stream_evilly_mixed)', async () => {
    const { client } = await serve(async function* (_request, context) {
      await context.write('w1');
      yield 'y1';
      await context.write('w2');
      yield 'y2';
    });
    const outcome = await serverStream(client, PATH, 'x');
    expect(outcome.responses).toEqual(['w1', 'y1', 'w2', 'y2']);
    expect(outcome.status.code).toBe(StatusCode.OK);
  });

  it('A61 a handler that writes and then returns an iterable sends both, in that order', async () => {
    const { client } = await serve(async (_request, context) => {
      await context.write('written');
      return ['returned'] as unknown as undefined;
    });
    const outcome = await serverStream(client, PATH, 'x');
    expect(outcome.responses).toEqual(['written', 'returned']);
    expect(outcome.status.code).toBe(StatusCode.OK);
  });

  it('A61 a handler returning something that is not iterable ends with UNKNOWN', async () => {
    const { client } = await serve(() => 42 as unknown as undefined);
    const outcome = await serverStream(client, PATH, 'x');
    expect(outcome.status.code).toBe(StatusCode.UNKNOWN);
    expect(outcome.status.details).toBe(
      'Unexpected TypeError: A response-streaming handler must return an (async) iterable or nothing, got number.',
    );
  });

  it('A72 a response the serializer rejects ends the RPC with INTERNAL and rejects write()', async () => {
    let writeError: unknown;
    const { client } = await startServer((srv) =>
      srv.addGenericRpcHandlers([
        methodHandlersGenericHandler('test.Stream', {
          Items: unaryStreamRpcMethodHandler(
            async (_request: string, context) => {
              await context.write('fine');
              writeError = await context.write('bad').catch((e: unknown) => e);
            },
            text,
            (value: string) => {
              if (value === 'bad') throw new RangeError('cannot encode');
              return bytes(value);
            },
          ),
        }),
      ]),
    );
    const outcome = await serverStream(client, PATH, 'x');
    expect(outcome.responses).toEqual(['fine']);
    expect(outcome.status).toMatchObject({
      code: StatusCode.INTERNAL,
      details: 'Failed to serialize response: RangeError: cannot encode',
    });
    expect(writeError).toBeInstanceOf(RangeError);
  });

  it('A55 a non-OK code set by a streaming handler ends the stream with it', async () => {
    const { client } = await serve(async function* (_request, context) {
      yield 'partial';
      context.setCode(StatusCode.RESOURCE_EXHAUSTED);
      context.setDetails('quota');
    });
    const outcome = await serverStream(client, PATH, 'x');
    expect(outcome.responses).toEqual(['partial']);
    expect(outcome.status.code).toBe(StatusCode.RESOURCE_EXHAUSTED);
    expect(outcome.status.details).toBe('quota');
  });

  it('A56 a generator that throws mid-stream ends with UNKNOWN after what it sent', async () => {
    const { client } = await serve(async function* () {
      yield 'before';
      throw new Error('mid-stream');
    });
    const outcome = await serverStream(client, PATH, 'x');
    expect(outcome.responses).toEqual(['before']);
    expect(outcome.status.code).toBe(StatusCode.UNKNOWN);
    expect(outcome.status.details).toBe('Unexpected Error: mid-stream');
  });

  it('A51 abort in a streaming handler after some responses', async () => {
    const { client } = await serve(async function* (_request, context) {
      yield 'one';
      await context.abort(StatusCode.ABORTED, 'stop here');
    });
    const outcome = await serverStream(client, PATH, 'x');
    expect(outcome.responses).toEqual(['one']);
    expect(outcome.status.code).toBe(StatusCode.ABORTED);
    expect(outcome.status.details).toBe('stop here');
  });

  // Python (checked with python3-grpcio 1.51): after abort(), read(), write() and
  // send_initial_metadata() raise the AbortError abort() raised, again.
  it('A8 after a swallowed abort, write() and sendInitialMetadata() throw the same AbortError "Locally aborted."', async () => {
    let thrown: unknown;
    const errors: unknown[] = [];
    const { client } = await serve(async (_request, context) => {
      thrown = await context.abort(StatusCode.ABORTED, 'gone').catch((e: unknown) => e);
      errors.push(await context.write('late').catch((e: unknown) => e));
      errors.push(await context.sendInitialMetadata([]).catch((e: unknown) => e));
    });
    const outcome = await serverStream(client, PATH, 'x');
    expect(outcome.status.code).toBe(StatusCode.ABORTED);
    expect(thrown).toBeInstanceOf(AbortError);
    expect((thrown as Error).message).toBe(LOCALLY_ABORTED);
    expect(errors).toEqual([thrown, thrown]);
    expect(errors[0]).toBe(thrown);
  });

  it('A7 write() after the handler returned is a UsageError "RPC already finished."', async () => {
    const done = deferred<unknown>();
    const { client } = await serve(async (_request, context) => {
      await context.write('one');
      setTimeout(() => {
        context.write('late').then(
          () => done.resolve('written'),
          (e: unknown) => done.resolve(e),
        );
      }, 50);
    });
    const outcome = await serverStream(client, PATH, 'x');
    expect(outcome.responses).toEqual(['one']);
    const error = await done.promise;
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(RPC_ALREADY_FINISHED);
  });

  it('A60 a client cancel closes an async-generator handler (its finally runs) and rejects pending writes', async () => {
    const finallyRan = deferred<boolean>();
    const { client } = await serve(async function* (_request, context) {
      try {
        yield 'first';
        await aborted(context.signal);
        yield 'never sent';
      } finally {
        finallyRan.resolve(context.cancelled());
      }
    });
    const outcome = serverStream(client, PATH, 'x', {
      onCall: (call) => call.once('data', () => call.cancel()),
    });
    const { status, responses } = await outcome;
    expect(status.code).toBe(StatusCode.CANCELLED);
    expect(responses).toEqual(['first']);
    expect(await finallyRan.promise).toBe(true);
  });

  it('A60 a deadline rejects a pending write() of a write-style handler with CancelledError', async () => {
    const writeError = deferred<unknown>();
    let context: ServicerContext | undefined;
    const { client } = await serve(async (_request, ctx) => {
      context = ctx;
      // Nobody reads on the client side, so flow control eventually holds a write back.
      const chunk = 'x'.repeat(64 * 1024);
      try {
        for (;;) await ctx.write(chunk);
      } catch (error) {
        writeError.resolve(error);
      }
    });
    const outcome = serverStream(client, PATH, 'x', {
      timeout: 0.3,
      onCall: (call) => call.pause(),
    });
    expect((await outcome).status.code).toBe(StatusCode.DEADLINE_EXCEEDED);
    expect(await writeError.promise).toBeInstanceOf(CancelledError);
    expect(context?.cancelled()).toBe(true);
    expect(context?.signal.aborted).toBe(true);
  });
});
