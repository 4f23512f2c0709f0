import { EOF, StatusCode } from '@grpc-aio/core';
import { CancelledError, RPC_ALREADY_FINISHED, UsageError } from '@grpc-aio/errors';
import { bytes, clientStream, deferred, text } from '@grpc-aio/test-support';
import { describe, expect, it } from 'vitest';
import { methodHandlersGenericHandler, streamUnaryRpcMethodHandler } from '../src/index.js';
import { startServer } from './helpers.js';

const PATH = '/test.Collect/All';
type Behavior = Parameters<typeof streamUnaryRpcMethodHandler<string, string>>[0];

async function serve(behavior: Behavior, deserializer: (bytes: Uint8Array) => string = text) {
  return startServer((srv) =>
    srv.addGenericRpcHandlers([
      methodHandlersGenericHandler('test.Collect', {
        All: streamUnaryRpcMethodHandler(behavior, deserializer, bytes),
      }),
    ]),
  );
}

describe('stream-unary', () => {
  it('A61 the handler iterates the request stream and returns one response', async () => {
    const { client } = await serve(async (requests) => {
      const seen: string[] = [];
      for await (const request of requests) seen.push(request);
      return seen.join('+');
    });
    const outcome = await clientStream(client, PATH, ['a', 'b', 'c']);
    expect(outcome.responses).toEqual(['a+b+c']);
    expect(outcome.status.code).toBe(StatusCode.OK);
    expect(outcome.status.details).toBe('');
  });

  it('A49 context.read() gives each request then EOF, and keeps giving EOF', async () => {
    const reads: unknown[] = [];
    const { client } = await serve(async (_requests, context) => {
      for (;;) {
        const request = await context.read();
        reads.push(request);
        if (request === EOF) break;
      }
      reads.push(await context.read());
      return `${reads.length}`;
    });
    const outcome = await clientStream(client, PATH, ['x', 'y']);
    expect(outcome.responses).toEqual(['4']);
    expect(reads).toEqual(['x', 'y', EOF, EOF]);
  });

  it('A61 an empty request stream is fine', async () => {
    const { client } = await serve(async (requests) => {
      let count = 0;
      for await (const _ of requests) count++;
      return `count ${count}`;
    });
    expect((await clientStream(client, PATH, [])).responses).toEqual(['count 0']);
  });

  // Python's grpc.aio (checked with python3-grpcio 1.51): its request iterator is a loop over
  // read(), so both styles take the next request in the order the handler asks, and leaving an
  // `async for` early leaves the rest for read() and for a later loop.
  it('A61 read() then iteration take the requests in turn, then EOF again (tests_aio stream_unary_evilly_mixed)', async () => {
    const { client } = await serve(async (requests, context) => {
      const first = await context.read();
      const rest: string[] = [];
      for await (const request of requests) rest.push(request);
      const after = [await context.read(), await context.read()];
      return JSON.stringify([first, rest, after.map((value) => value === EOF)]);
    });
    const outcome = await clientStream(client, PATH, ['1', '2', '3']);
    expect(outcome.responses).toEqual(['["1",["2","3"],[true,true]]']);
    expect(outcome.status.code).toBe(StatusCode.OK);
  });

  it('A61 leaving a loop early leaves the next request to read() and the rest to a later loop', async () => {
    const { client } = await serve(async (requests, context) => {
      let first: string | undefined;
      for await (const request of requests) {
        first = request;
        break;
      }
      const second = await context.read();
      const rest: string[] = [];
      for await (const request of requests) rest.push(request);
      return JSON.stringify([first, second, rest]);
    });
    const outcome = await clientStream(client, PATH, ['1', '2', '3']);
    expect(outcome.responses).toEqual(['["1","2",["3"]]']);
  });

  it('A61 a read() and an iterator waiting at once are answered in the order they asked', async () => {
    const { client } = await serve(async (requests, context) => {
      const iterator = requests[Symbol.asyncIterator]();
      const [a, b, c] = await Promise.all([iterator.next(), context.read(), iterator.next()]);
      const end = await Promise.all([context.read(), iterator.next()]);
      return JSON.stringify([a, b, c, end[0] === EOF, end[1]]);
    });
    const outcome = await clientStream(client, PATH, ['1', '2', '3']);
    expect(outcome.responses).toEqual([
      '[{"done":false,"value":"1"},"2",{"done":false,"value":"3"},true,{"done":true}]',
    ]);
  });

  it('A60 a client cancel rejects a pending read() with CancelledError', async () => {
    const readError = deferred<unknown>();
    const gotFirst = deferred();
    const { client } = await serve(async (_requests, context) => {
      await context.read();
      gotFirst.resolve();
      readError.resolve(await context.read().catch((e: unknown) => e));
      return 'dropped';
    });
    const outcome = clientStream(client, PATH, ['first'], {
      end: false,
      onCall: (call) => {
        void gotFirst.promise.then(() => call.cancel());
      },
    });
    expect((await outcome).status.code).toBe(StatusCode.CANCELLED);
    expect(await readError.promise).toBeInstanceOf(CancelledError);
  });

  it('a request that fails to deserialize mid-stream gets INTERNAL', async () => {
    const { client } = await serve(
      async (requests) => {
        const seen: string[] = [];
        for await (const request of requests) seen.push(request);
        return seen.join();
      },
      (bytes) => {
        const value = Buffer.from(bytes).toString();
        if (value === 'bad') throw new TypeError('undecodable');
        return value;
      },
    );
    const outcome = await clientStream(client, PATH, ['good', 'bad', 'never']);
    expect(outcome.status.code).toBe(StatusCode.INTERNAL);
    expect(outcome.status.details).toBe('Failed to deserialize request: TypeError: undecodable');
    expect((await clientStream(client, PATH, ['good'])).responses).toEqual(['good']);
  });

  it('A49 a read() whose request fails to deserialize rejects with the deserializer error; the client gets INTERNAL', async () => {
    const undecodable = new TypeError('undecodable');
    const reads = deferred<unknown[]>();
    const { client } = await serve(
      async (_requests, context) => {
        const seen: unknown[] = [await context.read()];
        seen.push(await context.read().catch((error: unknown) => error));
        seen.push(await context.read().catch((error: unknown) => error));
        reads.resolve(seen);
        return 'dropped';
      },
      (bytes) => {
        const value = Buffer.from(bytes).toString();
        if (value === 'bad') throw undecodable;
        return value;
      },
    );
    const outcome = await clientStream(client, PATH, ['good', 'bad', 'never']);
    expect(outcome.status.code).toBe(StatusCode.INTERNAL);
    expect(outcome.status.details).toBe('Failed to deserialize request: TypeError: undecodable');
    const [first, second, third] = await reads.promise;
    expect(first).toBe('good');
    expect(second).toBe(undecodable);
    expect(third).toBeInstanceOf(UsageError);
    expect((third as Error).message).toBe(RPC_ALREADY_FINISHED);
  });
});
