import { EOF, StatusCode } from '@grpc-aio/core';
import { aborted, bidi, bytes, deferred, text } from '@grpc-aio/test-support';
import { describe, expect, it } from 'vitest';
import { methodHandlersGenericHandler, streamStreamRpcMethodHandler } from '../src/index.js';
import { startServer } from './helpers.js';

const PATH = '/test.Chat/Talk';
type Behavior = Parameters<typeof streamStreamRpcMethodHandler<string, string>>[0];

async function serve(behavior: Behavior) {
  return startServer((srv) =>
    srv.addGenericRpcHandlers([
      methodHandlersGenericHandler('test.Chat', {
        Talk: streamStreamRpcMethodHandler(behavior, text, bytes),
      }),
    ]),
  );
}

describe('stream-stream', () => {
  it('A61 an async generator echoes the request stream as it arrives', async () => {
    const { client } = await serve(async function* (requests) {
      for await (const request of requests) yield `echo ${request}`;
    });
    const { call, outcome, next } = bidi(client, PATH);
    call.write(bytes('a'));
    expect(await next()).toBe('echo a');
    call.write(bytes('b'));
    expect(await next()).toBe('echo b');
    call.end();
    const { status, responses } = await outcome;
    expect(responses).toEqual(['echo a', 'echo b']);
    expect(status.code).toBe(StatusCode.OK);
    expect(status.details).toBe('');
  });

  it('A61 read(), iteration, yield and write() all mix (tests_aio stream_stream_evilly_mixed)', async () => {
    const { client } = await serve(async function* (requests, context) {
      const first = await context.read();
      const rest: string[] = [];
      for await (const request of requests) rest.push(request);
      yield `first ${String(first)}`;
      await context.write(`rest ${rest.join(',')}`);
      yield 'yielded';
      await context.write('written');
    });
    const { call, outcome } = bidi(client, PATH);
    for (const request of ['a', 'b', 'c']) call.write(bytes(request));
    call.end();
    const { status, responses } = await outcome;
    expect(responses).toEqual(['first a', 'rest b,c', 'yielded', 'written']);
    expect(status.code).toBe(StatusCode.OK);
  });

  it('A49 A61 read()/write() style, with initial and trailing metadata', async () => {
    const { client } = await serve(async (_requests, context) => {
      await context.sendInitialMetadata([['x-hello', 'yes']]);
      for (;;) {
        const request = await context.read();
        if (request === EOF) break;
        await context.write(request.toUpperCase());
      }
      context.setTrailingMetadata([['x-bye', 'done']]);
    });
    const { call, outcome } = bidi(client, PATH);
    call.write(bytes('one'));
    call.write(bytes('two'));
    call.end();
    const { status, responses, initialMetadata } = await outcome;
    expect(responses).toEqual(['ONE', 'TWO']);
    expect(initialMetadata?.get('x-hello')).toEqual(['yes']);
    expect(status.metadata.get('x-bye')).toEqual(['done']);
  });

  it('A60 a client cancel ends a bidi handler: finally runs, signal aborted', async () => {
    const finished = deferred<boolean>();
    const { client } = await serve(async function* (requests, context) {
      try {
        for await (const request of requests) yield request;
      } finally {
        finished.resolve(context.signal.aborted);
      }
    });
    const { call, outcome, next } = bidi(client, PATH);
    call.write(bytes('ping'));
    expect(await next()).toBe('ping');
    call.cancel();
    expect((await outcome).status.code).toBe(StatusCode.CANCELLED);
    expect(await finished.promise).toBe(true);
  });

  it('A60 a deadline interrupts a bidi handler waiting on its signal', async () => {
    const interrupted = deferred();
    const { client } = await serve(async (_requests, context) => {
      await aborted(context.signal);
      interrupted.resolve();
    });
    const { outcome } = bidi(client, PATH, { timeout: 0.2 });
    expect((await outcome).status.code).toBe(StatusCode.DEADLINE_EXCEEDED);
    await interrupted.promise;
  });
});
