import { ChannelConnectivity, EOF, StatusCode } from '@grpc-aio/core';
import {
  AioRpcError,
  API_STYLES_MIXED,
  CancelledError,
  HALF_CLOSED,
  InvalidStateError,
  RPC_ALREADY_FINISHED,
  UsageError,
} from '@grpc-aio/errors';
import { METADATA_READ_ONLY, Metadata } from '@grpc-aio/metadata';
import { deferred, FakeCall, FakeChannel, until } from '@grpc-aio/test-support';
import { describe, expect, it } from 'vitest';
import { ClientCallDetails } from './client-call-details.js';
import type {
  ClientInterceptor,
  StreamStreamClientInterceptor,
  StreamUnaryClientInterceptor,
  UnaryStreamClientInterceptor,
  UnaryUnaryClientInterceptor,
} from './client-interceptor.js';
import { interceptChannel } from './intercept-channel.js';
import {
  InterceptedStreamStreamCall,
  InterceptedStreamUnaryCall,
  InterceptedUnaryStreamCall,
  InterceptedUnaryUnaryCall,
} from './intercepted-call.js';
import { CLIENT_INTERCEPTOR_FAILED } from './messages.js';

const METHOD = '/pkg.Svc/Method';

describe('A62 ClientCallDetails', () => {
  it('is an immutable record with read-only metadata; with() makes a modified copy', () => {
    const details = ClientCallDetails.fromOptions(METHOD, {
      timeout: 2,
      metadata: [['k', 'v']],
      waitForReady: true,
    });
    expect(Object.isFrozen(details)).toBe(true);
    expect(() => {
      (details as { method: string }).method = 'x';
    }).toThrow(TypeError);
    expect(() => (details.metadata as Metadata).add('a', 'b')).toThrow(METADATA_READ_ONLY);
    const changed = details.with({ timeout: 5, metadata: details.metadata.concat([['a', 'b']]) });
    expect(changed).not.toBe(details);
    expect(changed.timeout).toBe(5);
    expect([...changed.metadata]).toEqual([
      ['k', 'v'],
      ['a', 'b'],
    ]);
    expect(changed.waitForReady).toBe(true);
    expect(details.timeout).toBe(2);
    expect(details.with({ timeout: undefined }).timeout).toBeUndefined();
    // An unchanged read-only metadata is shared, not copied again.
    expect(details.with({ timeout: 1 }).metadata).toBe(details.metadata);
  });

  it('copies the caller metadata so later changes to it do not leak in', () => {
    const mine = new Metadata(['k', 'v']);
    const details = ClientCallDetails.fromOptions(METHOD, { metadata: mine });
    mine.add('late', 'x');
    expect(details.metadata.size).toBe(1);
  });

  it('rejects a bad method or timeout with a TypeError', () => {
    expect(() => new ClientCallDetails({ method: 1 as never })).toThrow(
      'ClientCallDetails method must be a string, got number.',
    );
    expect(() => new ClientCallDetails({ method: METHOD, timeout: 'soon' as never })).toThrow(
      'ClientCallDetails timeout must be a number of seconds, got soon.',
    );
  });

  it('refuses keys that are not fields: in new, with() and the call options (as the channel does)', async () => {
    expect(() => new ClientCallDetails({ method: METHOD, deadline: 5 } as never)).toThrow(
      new TypeError(
        "new ClientCallDetails() does not take the option 'deadline' (give timeout, in seconds); it takes 'method', 'timeout', 'metadata', 'credentials', 'waitForReady', 'compression'.",
      ),
    );
    const details = ClientCallDetails.fromOptions(METHOD, { timeout: 1, signal: undefined });
    expect(() => details.with({ metaData: [] } as never)).toThrow(
      "ClientCallDetails.with() does not take the option 'metaData'",
    );
    // An intercepted call refuses what the channel refuses, rather than drop it on the way.
    const fake = new FakeChannel();
    const channel = interceptChannel(fake, {
      interceptUnaryUnary: (continuation, d, request) => continuation(d, request),
    });
    expect(() => channel.unaryUnary(METHOD)(new Uint8Array(), { deadline: new Date() } as never)).toThrow(
      new TypeError(
        "A call does not take the option 'deadline' (give timeout, in seconds); it takes 'timeout', 'metadata', 'credentials', 'waitForReady', 'compression', 'signal'.",
      ),
    );
    expect(fake.calls).toHaveLength(0);
  });

  it('A62 the end of the chain gets the modified details as call options', async () => {
    const fake = new FakeChannel();
    const credentials = { credentialsKind: 'call' as const };
    const rewrite: UnaryUnaryClientInterceptor = {
      interceptUnaryUnary: (continuation, details, request) =>
        continuation(
          details.with({
            method: '/pkg.Svc/Other',
            timeout: 7,
            metadata: details.metadata.concat([['x-added', '1']]),
            credentials,
            waitForReady: true,
            compression: 2,
          }),
          `${request}!`,
        ),
    };
    const channel = interceptChannel(fake, rewrite);
    expect(await channel.unaryUnary(METHOD)('hi' as never, { metadata: [['k', 'v']] })).toEqual({
      echo: 'hi!',
    });
    const [call] = fake.calls;
    expect(call!.method).toBe('/pkg.Svc/Other');
    expect(call!.request).toBe('hi!');
    expect(call!.options.timeout).toBe(7);
    expect([...new Metadata(...(call!.options.metadata as Iterable<[string, string]>))]).toEqual([
      ['k', 'v'],
      ['x-added', '1'],
    ]);
    expect(call!.options.credentials).toBe(credentials);
    expect(call!.options.waitForReady).toBe(true);
    expect(call!.options.compression).toBe(2);
    // No interceptor read continuation.signal: the chain makes no AbortController (cancelling the
    // chain cancels the channel's call directly).
    expect(call!.options.signal).toBeUndefined();
  });

  it('A62 a continuation also takes a plain object (e.g. a spread of the details)', async () => {
    const fake = new FakeChannel();
    const spread: UnaryUnaryClientInterceptor = {
      interceptUnaryUnary: (continuation, details, request) =>
        continuation({ ...details, timeout: 3 }, request),
    };
    await interceptChannel(fake, spread).unaryUnary(METHOD)('x' as never);
    expect(fake.calls[0]!.options.timeout).toBe(3);
  });
});

describe('A65 order and registration', () => {
  it('A65 interceptors[0] runs first on the way out and last on the way back', async () => {
    const log: string[] = [];
    const tracer = (name: string): UnaryUnaryClientInterceptor => ({
      async interceptUnaryUnary(continuation, details, request) {
        log.push(`${name} out`);
        const call = continuation(details, request);
        const response = await call;
        log.push(`${name} back`);
        return response;
      },
    });
    const fake = new FakeChannel(({ request }) => {
      log.push('terminal');
      return { response: request };
    });
    const channel = interceptChannel(fake, tracer('a'), tracer('b'), tracer('c'));
    expect(await channel.unaryUnary(METHOD)('x' as never)).toBe('x');
    expect(log).toEqual(['a out', 'b out', 'c out', 'terminal', 'c back', 'b back', 'a back']);
  });

  it('A65 an object implementing several kinds is used for every kind (Python aio keeps only the first: grpc#40946)', async () => {
    const seen: string[] = [];
    const all: ClientInterceptor = {
      interceptUnaryUnary(continuation, details, request) {
        seen.push('uu');
        return continuation(details, request);
      },
      interceptUnaryStream(continuation, details, request) {
        seen.push('us');
        return continuation(details, request);
      },
      interceptStreamUnary(continuation, details, requests) {
        seen.push('su');
        return continuation(details, requests);
      },
      interceptStreamStream(continuation, details, requests) {
        seen.push('ss');
        return continuation(details, requests);
      },
    };
    const channel = interceptChannel(new FakeChannel(), all);
    await channel.unaryUnary(METHOD)(new Uint8Array());
    for await (const _ of channel.unaryStream(METHOD)(new Uint8Array()));
    await channel.streamUnary(METHOD)([new Uint8Array()]);
    for await (const _ of channel.streamStream(METHOD)([new Uint8Array()]));
    expect(seen).toEqual(['uu', 'us', 'su', 'ss']);
  });

  it('A65 kinds no interceptor implements go straight to the channel', () => {
    const fake = new FakeChannel();
    const onlyUnary: UnaryUnaryClientInterceptor = {
      interceptUnaryUnary: (continuation, details, request) => continuation(details, request),
    };
    const channel = interceptChannel(fake, onlyUnary);
    expect(channel.unaryStream(METHOD)(new Uint8Array())).toBeInstanceOf(FakeCall);
    const call = channel.unaryUnary(METHOD)(new Uint8Array());
    expect(call).toBeInstanceOf(InterceptedUnaryUnaryCall);
    call.cancel();
  });

  it('A3 A65 rejects non-interceptors with a TypeError naming the index (Python: ValueError)', () => {
    const ok: UnaryUnaryClientInterceptor = { interceptUnaryUnary: (c, d, r) => c(d, r) };
    expect(() => interceptChannel(new FakeChannel(), ok, {} as never)).toThrow(
      'Interceptor at index 1 must be a ClientInterceptor (an object with interceptUnaryUnary, interceptUnaryStream, interceptStreamUnary or interceptStreamStream), got object.',
    );
    expect(() => interceptChannel(new FakeChannel(), null as never)).toThrow(
      'Interceptor at index 0 must be a ClientInterceptor (an object with interceptUnaryUnary, interceptUnaryStream, interceptStreamUnary or interceptStreamStream), got null.',
    );
    expect(() => interceptChannel({} as never, ok)).toThrow('interceptChannel needs a Channel, got object.');
  });

  it('A65 one interceptor serves many concurrent calls, each with its own state', async () => {
    let invocations = 0;
    const counting: UnaryUnaryClientInterceptor = {
      async interceptUnaryUnary(continuation, details, request) {
        invocations++;
        await new Promise((resolve) => setImmediate(resolve));
        return continuation(details, request);
      },
    };
    const callable = interceptChannel(new FakeChannel(), counting).unaryUnary<number, { echo: number }>(
      METHOD,
    );
    const responses = await Promise.all(Array.from({ length: 50 }, (_, index) => callable(index)));
    expect(responses.map((response) => response.echo)).toEqual(
      Array.from({ length: 50 }, (_, index) => index),
    );
    expect(invocations).toBe(50);
  });

  it('delegates the channel methods to the wrapped channel', async () => {
    const fake = new FakeChannel();
    const channel = interceptChannel(fake, { interceptUnaryUnary: (c, d, r) => c(d, r) });
    expect(channel.getState(true)).toBe(ChannelConnectivity.READY);
    await channel.waitForStateChange(ChannelConnectivity.IDLE);
    await channel.channelReady();
    await channel.close(1.5);
    await channel[Symbol.asyncDispose]();
    expect(fake.closed).toEqual([1.5, undefined]);
  });

  it('interceptChannel can wrap an intercepted channel: the outer interceptors run first', async () => {
    const log: string[] = [];
    const tag = (name: string): UnaryUnaryClientInterceptor => ({
      interceptUnaryUnary(continuation, details, request) {
        log.push(name);
        return continuation(details, request);
      },
    });
    const channel = interceptChannel(interceptChannel(new FakeChannel(), tag('inner')), tag('outer'));
    await channel.unaryUnary(METHOD)(new Uint8Array());
    expect(log).toEqual(['outer', 'inner']);
  });
});

describe('A64 what an interceptor returns', () => {
  const failing = () =>
    new FakeChannel(() => ({
      code: StatusCode.NOT_FOUND,
      details: 'nope',
      initialMetadata: [['i', '1']],
      trailingMetadata: [['t', '2']],
    }));

  it('A64 a plain response: the call succeeds with it, code OK and empty metadata', async () => {
    const fake = new FakeChannel();
    const cached: UnaryUnaryClientInterceptor = { interceptUnaryUnary: () => ({ cached: true }) };
    const call = interceptChannel(fake, cached).unaryUnary(METHOD)(new Uint8Array());
    expect(await call).toEqual({ cached: true });
    expect(await call.code()).toBe(StatusCode.OK);
    expect(await call.details()).toBe('');
    expect((await call.initialMetadata()).size).toBe(0);
    expect((await call.trailingMetadata()).size).toBe(0);
    expect(call.done()).toBe(true);
    expect(fake.calls).toHaveLength(0);
  });

  it('A64 an async plain response, including undefined', async () => {
    const asyncValue: UnaryUnaryClientInterceptor = { interceptUnaryUnary: async () => undefined };
    const call = interceptChannel(new FakeChannel(), asyncValue).unaryUnary(METHOD)(new Uint8Array());
    expect(await call).toBeUndefined();
    expect(await call.code()).toBe(StatusCode.OK);
  });

  it('A64 A24 sync return of the call: the caller sees its response, code and metadata; awaits are cached', async () => {
    const fake = new FakeChannel(() => ({
      response: { big: 1 },
      initialMetadata: [['i', '1']],
      trailingMetadata: [['t', '2']],
    }));
    const pass: UnaryUnaryClientInterceptor = { interceptUnaryUnary: (c, d, r) => c(d, r) };
    const call = interceptChannel(fake, pass).unaryUnary(METHOD)(new Uint8Array());
    const first = await call;
    expect(await call).toBe(first);
    expect(first).toBe(await fake.calls[0]);
    expect([...(await call.initialMetadata())]).toEqual([['i', '1']]);
    expect([...(await call.trailingMetadata())]).toEqual([['t', '2']]);
  });

  it('A64 async `return call` (flattened to the response) is recognised by identity: code and metadata kept', async () => {
    const fake = new FakeChannel(() => ({
      response: { ok: 1 },
      initialMetadata: [['i', '1']],
      trailingMetadata: [['t', '2']],
    }));
    const asyncPass: UnaryUnaryClientInterceptor = {
      async interceptUnaryUnary(continuation, details, request) {
        await Promise.resolve();
        return continuation(details, request);
      },
    };
    const call = interceptChannel(fake, asyncPass).unaryUnary(METHOD)(new Uint8Array());
    expect(await call).toBe(await fake.calls[0]);
    expect([...(await call.initialMetadata())]).toEqual([['i', '1']]);
    expect([...(await call.trailingMetadata())]).toEqual([['t', '2']]);
    // The final call is the channel's: timeRemaining and done come from it.
    expect(call.done()).toBe(true);
  });

  it('A64 two continuations with identical (primitive) responses: the newest call is the one returned', async () => {
    let attempt = 0;
    const fake = new FakeChannel(() => {
      attempt += 1;
      return { response: 'same', trailingMetadata: [['attempt', String(attempt)]] };
    });
    const twice: UnaryUnaryClientInterceptor = {
      async interceptUnaryUnary(continuation, details, request) {
        await continuation(details, request);
        return continuation(details, request);
      },
    };
    const call = interceptChannel(fake, twice).unaryUnary(METHOD)(new Uint8Array());
    expect(await call).toBe('same');
    expect((await call.trailingMetadata()).get('attempt')).toBe('2');
  });

  it('A64 async `return call` of a failed call keeps its code, details and both metadata sets', async () => {
    const fake = failing();
    const asyncPass: UnaryUnaryClientInterceptor = {
      async interceptUnaryUnary(continuation, details, request) {
        return continuation(details, request);
      },
    };
    const call = interceptChannel(fake, asyncPass).unaryUnary(METHOD)(new Uint8Array());
    const error = await call.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(AioRpcError);
    expect(error).toBe(await fake.calls[0]!.then(undefined, (reason: unknown) => reason));
    expect(await call.code()).toBe(StatusCode.NOT_FOUND);
    expect(await call.details()).toBe('nope');
    expect([...(await call.initialMetadata())]).toEqual([['i', '1']]);
    expect([...(await call.trailingMetadata())]).toEqual([['t', '2']]);
  });

  it('A64 `return await call` and a rethrown error of the call are the same as returning the call', async () => {
    const fake = failing();
    const logged: unknown[] = [];
    const rethrow: UnaryUnaryClientInterceptor = {
      async interceptUnaryUnary(continuation, details, request) {
        try {
          return await continuation(details, request);
        } catch (error) {
          logged.push(error);
          throw error;
        }
      },
    };
    const call = interceptChannel(fake, rethrow).unaryUnary(METHOD)(new Uint8Array());
    await expect(call).rejects.toBeInstanceOf(AioRpcError);
    expect(logged).toHaveLength(1);
    expect([...(await call.trailingMetadata())]).toEqual([['t', '2']]);
  });

  it('A64 identity works across levels: an outer async interceptor over an inner async one', async () => {
    const fake = new FakeChannel(() => ({ response: { ok: 1 }, trailingMetadata: [['t', 'x']] }));
    const asyncPass: UnaryUnaryClientInterceptor = {
      async interceptUnaryUnary(continuation, details, request) {
        return continuation(details, request);
      },
    };
    const call = interceptChannel(fake, asyncPass, asyncPass, asyncPass).unaryUnary(METHOD)(new Uint8Array());
    expect(await call).toEqual({ ok: 1 });
    expect([...(await call.trailingMetadata())]).toEqual([['t', 'x']]);
  });

  it('A64 a stream-unary interceptor may return a plain response or the call', async () => {
    const fake = new FakeChannel(() => ({ response: 'sum', trailingMetadata: [['t', 'su']] }));
    const plain: StreamUnaryClientInterceptor = { interceptStreamUnary: async () => 'local' };
    expect(await interceptChannel(fake, plain).streamUnary(METHOD)([1, 2] as never)).toBe('local');
    const pass: StreamUnaryClientInterceptor = {
      async interceptStreamUnary(continuation, details, requests) {
        return continuation(details, requests);
      },
    };
    const call = interceptChannel(fake, pass).streamUnary(METHOD)([1, 2] as never);
    expect(call).toBeInstanceOf(InterceptedStreamUnaryCall);
    expect(await call).toBe('sum');
    expect([...(await call.trailingMetadata())]).toEqual([['t', 'su']]);
    expect(fake.calls[0]!.requests).toEqual([1, 2]);
  });

  it('A64 a unary-stream interceptor may return an async iterable: it becomes the read source, status from the call', async () => {
    const fake = new FakeChannel(() => ({ responses: ['a', 'b'], trailingMetadata: [['t', 'us']] }));
    const upper: UnaryStreamClientInterceptor = {
      async interceptUnaryStream(continuation, details, request) {
        const call = continuation(details, request);
        return (async function* () {
          for await (const response of call) yield String(response).toUpperCase();
        })();
      },
    };
    const call = interceptChannel(fake, upper).unaryStream(METHOD)(new Uint8Array());
    expect(call).toBeInstanceOf(InterceptedUnaryStreamCall);
    expect(await call.read()).toBe('A');
    expect(await call.read()).toBe('B');
    expect(await call.read()).toBe(EOF);
    expect(await call.read()).toBe(EOF);
    expect(await call.code()).toBe(StatusCode.OK);
    expect([...(await call.trailingMetadata())]).toEqual([['t', 'us']]);
  });

  it('A64 a stream-stream interceptor may answer from a plain iterable without any RPC', async () => {
    const fake = new FakeChannel();
    const local: StreamStreamClientInterceptor = { interceptStreamStream: () => ['x', 'y'] };
    const call = interceptChannel(fake, local).streamStream(METHOD)([]);
    expect(call).toBeInstanceOf(InterceptedStreamStreamCall);
    const seen: unknown[] = [];
    for await (const response of call) seen.push(response);
    expect(seen).toEqual(['x', 'y']);
    expect(await call.code()).toBe(StatusCode.OK);
    expect(call.done()).toBe(true);
    expect(fake.calls).toHaveLength(0);
  });

  it('A64 a streaming interceptor returning something else fails the call (UNKNOWN, pinned message)', async () => {
    const bad: UnaryStreamClientInterceptor = { interceptUnaryStream: async () => 42 as never };
    const call = interceptChannel(new FakeChannel(), bad).unaryStream(METHOD)(new Uint8Array());
    await expect(call.read()).rejects.toThrow(AioRpcError);
    expect(await call.code()).toBe(StatusCode.UNKNOWN);
    expect(await call.details()).toBe(
      `${CLIENT_INTERCEPTOR_FAILED}: TypeError: A streaming-response client interceptor must return a call or an (async) iterable of responses, got number.`,
    );
  });
});

describe('A64 an interceptor that throws', () => {
  it('a thrown AioRpcError is the call error as is', async () => {
    const error = new AioRpcError(StatusCode.PERMISSION_DENIED, null, [['why', 'policy']], 'denied');
    const deny: UnaryUnaryClientInterceptor = {
      interceptUnaryUnary() {
        throw error;
      },
    };
    const call = interceptChannel(new FakeChannel(), deny).unaryUnary(METHOD)(new Uint8Array());
    await expect(call).rejects.toBe(error);
    expect(await call.code()).toBe(StatusCode.PERMISSION_DENIED);
    expect(await call.details()).toBe('denied');
    expect([...(await call.trailingMetadata())]).toEqual([['why', 'policy']]);
  });

  it('anything else becomes UNKNOWN with the original as cause', async () => {
    const boom = new RangeError('bad state');
    const failing: UnaryUnaryClientInterceptor = {
      async interceptUnaryUnary() {
        throw boom;
      },
    };
    const call = interceptChannel(new FakeChannel(), failing).unaryUnary(METHOD)(new Uint8Array());
    let settled = false;
    const error = (await (call as InterceptedUnaryUnaryCall)
      .finally(() => {
        settled = true;
      })
      .catch((reason: unknown) => reason)) as AioRpcError;
    expect(settled).toBe(true);
    expect(error).toBeInstanceOf(AioRpcError);
    expect(error.code()).toBe(StatusCode.UNKNOWN);
    expect(error.details()).toBe('Exception raised by a client interceptor: RangeError: bad state');
    expect(error.cause).toBe(boom);
    expect(await call.code()).toBe(StatusCode.UNKNOWN);
  });

  it('a sync throw from a stream interceptor fails reads and iteration', async () => {
    const failing: StreamStreamClientInterceptor = {
      interceptStreamStream() {
        throw new Error('no');
      },
    };
    const call = interceptChannel(new FakeChannel(), failing).streamStream(METHOD)([]);
    await expect(
      (async () => {
        for await (const _ of call);
      })(),
    ).rejects.toThrow('Exception raised by a client interceptor: Error: no');
  });

  it('a failed call that nobody awaits causes no unhandled rejection', async () => {
    const fake = new FakeChannel(() => ({ code: StatusCode.INTERNAL }));
    const channel = interceptChannel(
      fake,
      {
        async interceptUnaryUnary(c, d, r) {
          return c(d, r);
        },
      },
      {
        interceptUnaryUnary() {
          throw new Error('x');
        },
        interceptStreamUnary: (c, d, r) => c(d, r),
      },
    );
    const calls = [channel.unaryUnary(METHOD)(new Uint8Array()), channel.streamUnary(METHOD)([])];
    await until(() => calls.every((call) => call.done()));
    // vitest fails the run on an unhandled rejection; reaching here with done calls is the check.
    expect(await calls[1]!.code()).toBe(StatusCode.INTERNAL);
  });
});

describe('A66 the intercepted call while the chain runs', () => {
  it('A66 cancel before the chain finishes cancels the inner call and the chain signal', async () => {
    const gate = deferred();
    let signal: AbortSignal | undefined;
    let late: unknown;
    const fake = new FakeChannel(() => ({ manual: true }));
    const slow: UnaryUnaryClientInterceptor = {
      async interceptUnaryUnary(continuation, details, request) {
        signal = continuation.signal;
        const first = continuation(details, request);
        await gate.promise;
        late = continuation(details, request);
        return first;
      },
    };
    const call = interceptChannel(fake, slow).unaryUnary(METHOD)(new Uint8Array());
    expect(call.done()).toBe(false);
    expect(call.cancelled()).toBe(false);
    expect(call.cancel()).toBe(true);
    expect(call.cancel()).toBe(false);
    expect(signal!.aborted).toBe(true);
    expect(fake.calls[0]!.cancelled()).toBe(true);
    expect(call.done()).toBe(true);
    expect(call.cancelled()).toBe(true);
    await expect(call).rejects.toBeInstanceOf(CancelledError);
    expect(await call.code()).toBe(StatusCode.CANCELLED);
    expect(await call.details()).toBe('Locally cancelled by application!');
    gate.resolve();
    await until(() => late !== undefined);
    // A continuation after the cancel makes no RPC.
    expect(fake.calls).toHaveLength(1);
    expect((late as { cancelled(): boolean }).cancelled()).toBe(true);
  });

  it('A66 cancel through nested levels reaches the channel call', async () => {
    const fake = new FakeChannel(() => ({ manual: true }));
    const pass: UnaryUnaryClientInterceptor = { interceptUnaryUnary: (c, d, r) => c(d, r) };
    const waitThenPass: UnaryUnaryClientInterceptor = {
      async interceptUnaryUnary(c, d, r) {
        const call = c(d, r);
        await call.initialMetadata();
        await new Promise((resolve) => setImmediate(resolve));
        return call;
      },
    };
    const call = interceptChannel(fake, pass, waitThenPass).unaryUnary(METHOD)(new Uint8Array());
    expect(call.cancel()).toBe(true);
    expect(fake.calls[0]!.cancelled()).toBe(true);
    await expect(call).rejects.toBeInstanceOf(CancelledError);
  });

  it('A21 aborting the signal in the call options cancels the call', async () => {
    const fake = new FakeChannel(() => ({ manual: true }));
    const pass: UnaryUnaryClientInterceptor = { interceptUnaryUnary: async (c, d, r) => c(d, r) };
    const controller = new AbortController();
    const call = interceptChannel(fake, pass).unaryUnary(METHOD)(new Uint8Array(), {
      signal: controller.signal,
    });
    controller.abort();
    await expect(call).rejects.toBeInstanceOf(CancelledError);
    expect(fake.calls[0]!.cancelled()).toBe(true);
    // An already-aborted signal: the chain does not even run.
    const aborted = interceptChannel(fake, pass).unaryUnary(METHOD)(new Uint8Array(), {
      signal: AbortSignal.abort(),
    });
    expect(aborted.cancelled()).toBe(true);
    expect(fake.calls).toHaveLength(1);
  });

  it('A66 A22 done callbacks added before the chain finishes fire when the real call ends', async () => {
    const fake = new FakeChannel(() => ({ manual: true, response: 'r' }));
    const gate = deferred();
    const slow: UnaryUnaryClientInterceptor = {
      async interceptUnaryUnary(c, d, r) {
        await gate.promise;
        return c(d, r);
      },
    };
    const call = interceptChannel(fake, slow).unaryUnary(METHOD)(new Uint8Array());
    const fired: unknown[] = [];
    call.addDoneCallback((c) => fired.push(c));
    gate.resolve();
    await until(() => fake.calls.length === 1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(fired).toEqual([]);
    fake.calls[0]!.finish();
    await until(() => fired.length === 1);
    expect(fired[0]).toBe(call);
    // Added after the end: runs at once.
    call.addDoneCallback((c) => fired.push(c));
    expect(fired).toHaveLength(2);
  });

  it('A66 A22 done callbacks stop at the first that throws (logged naming the method); the call is unaffected', async () => {
    const logged: unknown[] = [];
    const ran: string[] = [];
    const broke = new Error('cb');
    const original = console.error;
    console.error = (...args: unknown[]) => logged.push(args);
    try {
      const call = interceptChannel(new FakeChannel(), { interceptUnaryUnary: async () => 'x' }).unaryUnary(
        METHOD,
      )(new Uint8Array());
      expect(call.done()).toBe(false);
      call.addDoneCallback(() => ran.push('first'));
      call.addDoneCallback(() => {
        throw broke;
      });
      call.addDoneCallback(() => ran.push('third'));
      expect(await call).toBe('x');
      await new Promise((resolve) => setImmediate(resolve));
      call.addDoneCallback(() => ran.push('late'));
    } finally {
      console.error = original;
    }
    expect(ran).toEqual(['first', 'late']);
    expect(logged).toEqual([[`Error in callback for method [${METHOD}]`, broke]]);
  });

  it('A66 A19 an intercepted call\'s string form: "<InterceptedUnaryUnaryCall object>", then the status block', async () => {
    const answered = interceptChannel(new FakeChannel(), { interceptUnaryUnary: async () => 'x' }).unaryUnary(
      METHOD,
    )(new Uint8Array());
    expect(String(answered)).toBe('<InterceptedUnaryUnaryCall object>');
    await answered;
    expect(String(answered)).toBe(
      '<InterceptedUnaryUnaryCall of RPC that terminated with:\n\tstatus = StatusCode.OK\n\tdetails = ""\n\tdebug_error_string = ""\n>',
    );
    const failing = interceptChannel(new FakeChannel(), {
      interceptUnaryUnary: async () => {
        throw new AioRpcError(StatusCode.NOT_FOUND, null, null, 'gone', 'debug');
      },
    }).unaryUnary(METHOD)(new Uint8Array());
    await failing.then(undefined, () => undefined);
    expect(String(failing)).toBe(
      '<InterceptedUnaryUnaryCall of RPC that terminated with:\n\tstatus = StatusCode.NOT_FOUND\n\tdetails = "gone"\n\tdebug_error_string = "debug"\n>',
    );
  });

  it('A66 A23 timeRemaining works while the chain runs and after (Python raises NotImplementedError)', async () => {
    const fake = new FakeChannel(() => ({ manual: true }));
    const gate = deferred();
    const slow: UnaryUnaryClientInterceptor = {
      async interceptUnaryUnary(c, d, r) {
        await gate.promise;
        return c(d, r);
      },
    };
    const channel = interceptChannel(fake, slow);
    const call = channel.unaryUnary(METHOD)(new Uint8Array(), { timeout: 10 });
    const early = call.timeRemaining()!;
    expect(early).toBeGreaterThan(9);
    expect(early).toBeLessThanOrEqual(10);
    gate.resolve();
    await until(() => fake.calls.length === 1);
    expect(call.timeRemaining()).toBeLessThanOrEqual(early);
    call.cancel();
    const none = channel.unaryUnary(METHOD)(new Uint8Array());
    expect(none.timeRemaining()).toBeUndefined();
    none.cancel();
  });

  it('A23 once the chain has returned the channel call, timeRemaining is that call (an interceptor may change the timeout)', () => {
    const fake = new FakeChannel(() => ({ manual: true }));
    const longer: UnaryUnaryClientInterceptor = {
      interceptUnaryUnary: (c, d, r) => c(d.with({ timeout: 100 }), r),
    };
    const call = interceptChannel(fake, longer).unaryUnary(METHOD)(new Uint8Array(), { timeout: 10 });
    expect(call.timeRemaining()).toBeGreaterThan(99);
    call.cancel();
    expect(fake.calls[0]!.cancelled()).toBe(true);
  });
});

describe('A25 A27 A28 reading and writing through the chain', () => {
  const pass: ClientInterceptor = {
    interceptUnaryStream: (c, d, r) => c(d, r),
    interceptStreamUnary: async (c, d, r) => c(d, r),
    interceptStreamStream: async (c, d, r) => c(d, r),
  };

  it('A25 read() gives the responses then EOF; mixing with iteration is a UsageError', async () => {
    const channel = interceptChannel(new FakeChannel(), pass);
    const call = channel.unaryStream(METHOD)(new Uint8Array());
    expect(await call.read()).toBe('r1');
    expect(() => call[Symbol.asyncIterator]()).toThrow(new UsageError(API_STYLES_MIXED));
    expect(await call.read()).toBe('r2');
    expect(await call.read()).toBe(EOF);
    const iterated = channel.streamStream(METHOD)([]);
    const seen: unknown[] = [];
    for await (const response of iterated) seen.push(response);
    expect(seen).toEqual(['r1', 'r2']);
    await expect(iterated.read()).rejects.toThrow(API_STYLES_MIXED);
  });

  it('A26 A28 write-style stream-unary: writes reach the channel call, then doneWriting', async () => {
    const fake = new FakeChannel(() => ({ response: 'done' }));
    const seenByInterceptor: unknown[] = [];
    const observe: StreamUnaryClientInterceptor = {
      async interceptStreamUnary(continuation, details, requests) {
        async function* tap() {
          for await (const request of requests) {
            seenByInterceptor.push(request);
            yield request;
          }
        }
        return continuation(details, tap());
      },
    };
    const call = interceptChannel(fake, observe).streamUnary(METHOD)();
    await call.write('a' as never);
    await call.write('b' as never);
    await call.doneWriting();
    await call.doneWriting();
    await expect(call.write('c' as never)).rejects.toThrow(new InvalidStateError(HALF_CLOSED));
    expect(await call).toBe('done');
    expect(fake.calls[0]!.requests).toEqual(['a', 'b']);
    expect(seenByInterceptor).toEqual(['a', 'b']);
    await expect(call.write('d' as never)).rejects.toThrow(new InvalidStateError(RPC_ALREADY_FINISHED));
  });

  it('A27 write-style stream-stream, and writes queued before the chain finishes', async () => {
    const fake = new FakeChannel(() => ({ responses: ['x'] }));
    const gate = deferred();
    const slow: StreamStreamClientInterceptor = {
      async interceptStreamStream(continuation, details, requests) {
        await gate.promise;
        return continuation(details, requests);
      },
    };
    const call = interceptChannel(fake, slow).streamStream(METHOD)();
    const first = call.write('early' as never);
    gate.resolve();
    await first;
    await call.doneWriting();
    expect(await call.read()).toBe('x');
    expect(await call.read()).toBe(EOF);
    expect(fake.calls[0]!.requests).toEqual(['early']);
  });

  it('A26 an interceptor may make the next call write-style and write to it itself', async () => {
    const fake = new FakeChannel(() => ({ response: 'joined' }));
    const rewrite: StreamUnaryClientInterceptor = {
      async interceptStreamUnary(continuation, details, requests) {
        const call = continuation(details);
        for await (const request of requests) await call.write(`${request}'`);
        await call.doneWriting();
        return call;
      },
    };
    const pass: StreamUnaryClientInterceptor = { interceptStreamUnary: (c, d, r) => c(d, r) };
    const call = interceptChannel(fake, rewrite, pass).streamUnary(METHOD)(['a', 'b'] as never);
    expect(await call).toBe('joined');
    expect(fake.calls[0]!.requests).toEqual(["a'", "b'"]);
  });

  it('A28 write()/doneWriting() on a call made with a request iterable is a UsageError', async () => {
    const call = interceptChannel(new FakeChannel(), pass).streamUnary(METHOD)([]);
    await expect(call.write(new Uint8Array())).rejects.toThrow(new UsageError(API_STYLES_MIXED));
    await expect(call.doneWriting()).rejects.toThrow(new UsageError(API_STYLES_MIXED));
    await call;
  });

  it('A28 writes fail once the call is over (an interceptor answered without the RPC)', async () => {
    const local: StreamUnaryClientInterceptor = { interceptStreamUnary: () => 'local' };
    const call = interceptChannel(new FakeChannel(), local).streamUnary(METHOD)();
    await expect(call.write(new Uint8Array())).rejects.toThrow(RPC_ALREADY_FINISHED);
    expect(await call).toBe('local');
  });

  it('A20 cancelling a streaming call before the chain finishes: reads reject with CancelledError', async () => {
    const gate = deferred();
    const slow: UnaryStreamClientInterceptor = {
      async interceptUnaryStream(c, d, r) {
        await gate.promise;
        return c(d, r);
      },
    };
    const call = interceptChannel(new FakeChannel(), slow).unaryStream(METHOD)(new Uint8Array());
    const read = call.read();
    expect(call.cancel()).toBe(true);
    await expect(read).rejects.toBeInstanceOf(CancelledError);
    gate.resolve();
  });
});
